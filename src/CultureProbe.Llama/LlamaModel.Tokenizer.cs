using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using CultureProbe.Llama.Native;

namespace CultureProbe.Llama;

public sealed partial class LlamaModel
{
    private readonly ConcurrentDictionary<int, string> _pieces = new();
    private readonly ConcurrentDictionary<int, byte[]> _pieceBytes = new();

    /// <summary>Tokenizes <paramref name="text"/> with the model's own tokenizer, adding BOS when the model asks for it.</summary>
    /// <param name="text">UTF-8 text.</param>
    /// <param name="parseSpecial">Whether special-token texts (e.g. <c>&lt;|im_start|&gt;</c>) become special tokens; true for chat-template output.</param>
    public unsafe int[] Tokenize(string text, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var capacity = bytes.Length + 8;
        while (true)
        {
            var tokens = new int[capacity];
            int n;
            fixed (byte* textPointer = bytes)
            fixed (int* tokenPointer = tokens)
            {
                n = LlamaNative.llama_tokenize(_vocab, textPointer, bytes.Length, tokenPointer, capacity, true, parseSpecial);
            }
            if (n >= 0)
            {
                return tokens[..n];
            }
            if (n == int.MinValue)
            {
                throw new InputException($"text of {bytes.Length} bytes is too long to tokenize");
            }
            capacity = -n;
        }
    }

    /// <summary>The text of one token (special tokens rendered); partial UTF-8 sequences appear as U+FFFD.</summary>
    public string TokenPiece(int token) => _pieces.GetOrAdd(token, static (id, self) => self.ReadPiece(id), this);

    private unsafe string ReadPiece(int token)
    {
        Span<byte> buffer = stackalloc byte[256];
        int n;
        fixed (byte* pointer = buffer)
        {
            n = LlamaNative.llama_token_to_piece(_vocab, token, pointer, buffer.Length, 0, true);
        }
        if (n < 0)
        {
            var large = new byte[-n];
            fixed (byte* pointer = large)
            {
                n = LlamaNative.llama_token_to_piece(_vocab, token, pointer, large.Length, 0, true);
            }
            return Encoding.UTF8.GetString(large, 0, Math.Max(n, 0));
        }
        return Encoding.UTF8.GetString(buffer[..n]);
    }

    /// <summary>The bytes a generated token adds to the text: control tokens add none, byte tokens their one byte (possibly part of a character).</summary>
    internal byte[] TokenBytes(int token) => _pieceBytes.GetOrAdd(token, static (id, self) => self.ReadPieceBytes(id), this);

    private unsafe byte[] ReadPieceBytes(int token)
    {
        var buffer = new byte[64];
        while (true)
        {
            int n;
            fixed (byte* pointer = buffer)
            {
                n = LlamaNative.llama_token_to_piece(_vocab, token, pointer, buffer.Length, 0, false);
            }
            if (n >= 0)
            {
                return buffer[..n];
            }
            buffer = new byte[-n];
        }
    }

    /// <summary>
    /// Formats <paramref name="userText"/> as a user turn with the model's embedded chat template and opens the
    /// assistant turn (llama.cpp's built-in template list, not a Jinja engine).
    /// </summary>
    /// <exception cref="InputException">The model has no chat template, or llama.cpp does not know its template.</exception>
    public unsafe string ApplyChatTemplate(string userText)
    {
        ArgumentNullException.ThrowIfNull(userText);
        var template = LlamaNative.llama_model_chat_template(_model, null);
        if (template is null)
        {
            throw new InputException($"{Identity.Source}: the model has no embedded chat template (tokenizer.chat_template); score without chat mode");
        }
        var role = Marshal.StringToCoTaskMemUTF8("user");
        var content = Marshal.StringToCoTaskMemUTF8(userText);
        try
        {
            var message = new LlamaChatMessage { Role = role, Content = content };
            var capacity = (Encoding.UTF8.GetByteCount(userText) * 2) + 512;
            while (true)
            {
                var buffer = new byte[capacity];
                int n;
                fixed (byte* pointer = buffer)
                {
                    n = LlamaNative.llama_chat_apply_template(template, &message, 1, true, pointer, capacity);
                }
                if (n < 0)
                {
                    throw new InputException($"{Identity.Source}: llama.cpp does not recognise the model's chat template; score without chat mode");
                }
                if (n <= capacity)
                {
                    return Encoding.UTF8.GetString(buffer, 0, n);
                }
                capacity = n;
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(role);
            Marshal.FreeCoTaskMem(content);
        }
    }
}
