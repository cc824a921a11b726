namespace NodeFoundry.Dhcp.Leases;

/// <summary>
/// Where lease records go to become durable. Group commit: append a batch of records, call
/// <see cref="Flush"/> once, and only then send the batch's replies.
/// </summary>
public interface ILeaseJournal : IDisposable
{
    /// <summary>Buffers one record. Not durable until the next <see cref="Flush"/> returns.</summary>
    void Append(in LeaseRecord record);

    /// <summary>Makes every appended record durable (fsync for a file journal).</summary>
    void Flush();
}
