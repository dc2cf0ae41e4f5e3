namespace CultureProbe.Remote.Transport;

// Both exceptions are IOExceptions: a server that cannot be reached, fails, or answers something unusable is a
// failed exchange with another machine, like a broken file or socket. Callers that report I/O failures without a
// stack trace (the command line: exit code 1) report these the same way. Their messages are printable: every
// control character a server put into them is escaped (ResponseText.Printable), so they are safe on a terminal.
// A response that shows the settings are wrong (a redirect, 401/403, a model or path the server does not have)
// is a SettingException naming the setting instead: bad input, not an I/O failure.

/// <summary>
/// A request to a server failed: it could not be sent or got no complete answer (refused or broken connection,
/// timeout), every attempt met a retryable status (408, 429, 5xx), or the server refused it with a 4xx that says
/// nothing about the settings (e.g. a prompt longer than the model's context). The message names the endpoint.
/// </summary>
public sealed class RemoteRequestException : IOException
{
    /// <summary>Creates the exception.</summary>
    public RemoteRequestException(string message, int? statusCode = null, Exception? innerException = null)
        : base(ResponseText.Printable(message ?? ""), innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception.</summary>
    public RemoteRequestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteRequestException(string message) : this(message, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteRequestException(string message, Exception innerException) : this(message, null, innerException)
    {
    }

    /// <summary>The last HTTP status, when there was one.</summary>
    public int? StatusCode { get; }
}

/// <summary>
/// A server answered, but its response cannot be trusted to give the asked numbers: an empty body, HTML or other
/// text that is not JSON, missing fields, arrays of unequal length, a prompt echo that differs from the prompt,
/// tokens whose offsets do not line up with the text. Such a response is never turned into a score, and the request
/// is not repeated: a server that answers a well-formed request with a malformed body is misconfigured or speaks
/// another protocol, and would answer the same way again. The message names the endpoint and quotes a short excerpt.
/// </summary>
public sealed class RemoteResponseException : IOException
{
    /// <summary>Creates the exception.</summary>
    public RemoteResponseException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteResponseException(string message) : base(ResponseText.Printable(message ?? ""))
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteResponseException(string message, Exception innerException) : base(ResponseText.Printable(message ?? ""), innerException)
    {
    }
}
