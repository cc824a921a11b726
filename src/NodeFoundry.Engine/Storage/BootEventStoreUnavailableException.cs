namespace NodeFoundry.Storage;

/// <summary>
/// The boot-event store cannot be reached (a database outage). An <see cref="IOException"/>, like the lease store's:
/// callers that write keep their backlog and try again; readers report it.
/// </summary>
public sealed class BootEventStoreUnavailableException : IOException
{
    public BootEventStoreUnavailableException()
    {
    }

    public BootEventStoreUnavailableException(string message)
        : base(message)
    {
    }

    public BootEventStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
