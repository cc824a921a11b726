using NodeFoundry.Boot;

namespace NodeFoundry.Dhcp;

/// <summary>
/// Monotonic counters of one DHCP server, safe to read from any thread (the metrics endpoint and
/// the service host read them while the packet loop writes).
/// </summary>
public sealed class DhcpServerCounters
{
    private long _received;
    private long _malformed;
    private long _offers;
    private long _acks;
    private long _naks;
    private long _ignored;
    private long _rateLimited;
    private long _releases;
    private long _declines;
    private long _sendErrors;
    private long _journalFlushes;
    private long _handlerFaults;
    private readonly long[] _offersByFirmware = new long[FirmwareSlots];
    private readonly long[] _acksByFirmware = new long[FirmwareSlots];

    private static readonly int FirmwareSlots = Enum.GetValues<FirmwareKind>().Max(k => (int)k) + 1;

    public long Received => Interlocked.Read(ref _received);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Offers => Interlocked.Read(ref _offers);

    public long Acks => Interlocked.Read(ref _acks);

    public long Naks => Interlocked.Read(ref _naks);

    public long Ignored => Interlocked.Read(ref _ignored);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long Releases => Interlocked.Read(ref _releases);

    public long Declines => Interlocked.Read(ref _declines);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public long JournalFlushes => Interlocked.Read(ref _journalFlushes);

    /// <summary>Requests that hit an internal error (a bug); each was dropped and reported, the server kept going.</summary>
    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    /// <summary>Offers sent to clients of <paramref name="firmware"/> (from option 93; <see cref="FirmwareKind.Unknown"/> without it).</summary>
    public long OffersFor(FirmwareKind firmware) => Slot(firmware) is int i ? Interlocked.Read(ref _offersByFirmware[i]) : 0;

    /// <summary>Acks (granted, renewed, informed) sent to clients of <paramref name="firmware"/>.</summary>
    public long AcksFor(FirmwareKind firmware) => Slot(firmware) is int i ? Interlocked.Read(ref _acksByFirmware[i]) : 0;

    internal void Count(LeaseEventKind kind, FirmwareKind firmware)
    {
        Count(kind);
        if (Slot(firmware) is not int i)
        {
            return;
        }

        switch (kind)
        {
            case LeaseEventKind.Offered: Interlocked.Increment(ref _offersByFirmware[i]); break;
            case LeaseEventKind.Granted:
            case LeaseEventKind.Renewed:
            case LeaseEventKind.Informed: Interlocked.Increment(ref _acksByFirmware[i]); break;
            default: break;
        }
    }

    private static int? Slot(FirmwareKind firmware) => (int)firmware is var i && i >= 0 && i < FirmwareSlots ? i : null;

    internal void CountReceived() => Interlocked.Increment(ref _received);

    internal void CountMalformed() => Interlocked.Increment(ref _malformed);

    internal void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    internal void CountSendError() => Interlocked.Increment(ref _sendErrors);

    internal void CountHandlerFault() => Interlocked.Increment(ref _handlerFaults);

    internal void CountJournalFlush() => Interlocked.Increment(ref _journalFlushes);

    internal void Count(LeaseEventKind kind)
    {
        switch (kind)
        {
            case LeaseEventKind.Offered: Interlocked.Increment(ref _offers); break;
            case LeaseEventKind.Granted:
            case LeaseEventKind.Renewed:
            case LeaseEventKind.Informed: Interlocked.Increment(ref _acks); break;
            case LeaseEventKind.Refused: Interlocked.Increment(ref _naks); break;
            case LeaseEventKind.Released: Interlocked.Increment(ref _releases); break;
            case LeaseEventKind.Declined: Interlocked.Increment(ref _declines); break;
            default: Interlocked.Increment(ref _ignored); break;
        }
    }
}
