namespace CultureProbe.Remote.Transport;

/// <summary>A request to a server failed: an HTTP error status, or every attempt failed.</summary>
public sealed class RemoteRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteRequestException(string message, int? statusCode = null, Exception? innerException = null) : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception.</summary>
    public RemoteRequestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteRequestException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteRequestException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The last HTTP status, when there was one.</summary>
    public int? StatusCode { get; }
}

/// <summary>
/// A server answered, but its response cannot be trusted to give the asked numbers: malformed
/// JSON, missing fields, arrays of unequal length, a prompt echo that differs from the prompt,
/// tokens whose offsets do not line up with the text. Such a response is never turned into a score.
/// </summary>
public sealed class RemoteResponseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteResponseException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteResponseException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteResponseException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
