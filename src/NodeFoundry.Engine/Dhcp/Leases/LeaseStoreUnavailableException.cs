namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// The lease store cannot be reached right now (database down, connection lost). An <see cref="IOException"/> so the
/// server treats it like a failed fsync: nothing of the batch is acknowledged as new. The store keeps the batch and
/// writes it with a later flush, once it is back.
/// </summary>
public sealed class LeaseStoreUnavailableException : IOException
{
    public LeaseStoreUnavailableException()
    {
    }

    public LeaseStoreUnavailableException(string message)
        : base(message)
    {
    }

    public LeaseStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
