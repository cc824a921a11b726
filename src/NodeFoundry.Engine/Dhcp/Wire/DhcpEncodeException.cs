namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// A reply could not be encoded (content longer than the fields and the client's maximum message
/// size allow, or a header value the wire cannot carry). This is a bug in whoever built the reply,
/// never something a client can provoke, so it is an exception rather than a value.
/// </summary>
public sealed class DhcpEncodeException : Exception
{
    public DhcpEncodeException()
    {
    }

    public DhcpEncodeException(string message)
        : base(message)
    {
    }

    public DhcpEncodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
