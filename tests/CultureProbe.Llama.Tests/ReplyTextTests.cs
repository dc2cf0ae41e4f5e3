using System.Text;

namespace CultureProbe.Llama.Tests;

/// <summary>A generated reply's text from its tokens' bytes: characters split across tokens, and stop strings across tokens.</summary>
public sealed class ReplyTextTests
{
    private static byte[] B(params int[] bytes) => [.. bytes.Select(b => (byte)b)];

    [Fact]
    public void A_character_split_over_byte_tokens_is_decoded_whole()
    {
        // "é" is C3 A9 and "日" is E6 97 A5 in UTF-8; byte-fallback models emit them one byte per token.
        var text = new ReplyText([]);
        text.Append(Encoding.UTF8.GetBytes(" caf")).ShouldBeFalse();
        text.Append(B(0xC3)).ShouldBeFalse();
        text.Append(B(0xA9)).ShouldBeFalse();
        text.Append(B(0xE6, 0x97)).ShouldBeFalse();
        text.Append(B(0xA5)).ShouldBeFalse();
        text.Finish().ShouldBe((" café日", false));
    }

    [Fact]
    public void An_incomplete_character_at_the_end_becomes_one_replacement_character()
    {
        var text = new ReplyText([]);
        text.Append(Encoding.UTF8.GetBytes("ok"));
        text.Append(B(0xE6, 0x97));
        text.Finish().ShouldBe(("ok\uFFFD", false));
    }

    [Fact]
    public void A_stop_string_across_tokens_cuts_the_text_before_it_and_the_earliest_one_wins()
    {
        var text = new ReplyText(["\n\n", "Question:", "é!"]);
        text.Append(Encoding.UTF8.GetBytes("Yes, caf")).ShouldBeFalse();
        text.Append(B(0xC3)).ShouldBeFalse();
        text.Append(B(0xA9)).ShouldBeFalse();
        text.Append(Encoding.UTF8.GetBytes(" then.\nQues")).ShouldBeFalse();
        text.Append(Encoding.UTF8.GetBytes("tion: more\n\n")).ShouldBeTrue();
        text.Append(Encoding.UTF8.GetBytes("ignored")).ShouldBeTrue();
        text.Finish().ShouldBe(("Yes, café then.\n", true));

        var multiByte = new ReplyText(["é!"]);
        multiByte.Append(Encoding.UTF8.GetBytes("caf")).ShouldBeFalse();
        multiByte.Append(B(0xC3)).ShouldBeFalse();
        multiByte.Append(B(0xA9)).ShouldBeFalse();
        multiByte.Append(Encoding.UTF8.GetBytes("! x")).ShouldBeTrue();
        multiByte.Finish().ShouldBe(("caf", true));
    }
}
