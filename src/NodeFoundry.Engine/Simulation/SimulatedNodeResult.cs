using System.Net;
using System.Net.NetworkInformation;

namespace NodeFoundry.Simulation;

/// <summary>One simulated node's boot: how long each stage it reached took, what it moved, and where and why it failed.</summary>
public sealed record SimulatedNodeResult
{
    public required int Index { get; init; }

    public required PhysicalAddress MacAddress { get; init; }

    /// <summary>From the storm's start to this node's power-on (ripple, and any wait for a concurrency slot).</summary>
    public TimeSpan PoweredOnAt { get; init; }

    /// <summary>From the storm's start to the node's last stage done, or to its failure.</summary>
    public TimeSpan FinishedAt { get; init; }

    /// <summary>How long each completed stage took, in stage order.</summary>
    public IReadOnlyDictionary<StormStage, TimeSpan> StageDurations { get; init; } = new Dictionary<StormStage, TimeSpan>();

    /// <summary>The address DHCP leased (the firmware's ACK).</summary>
    public IPAddress? LeasedAddress { get; init; }

    public string? BootFile { get; init; }

    public Uri? ScriptUrl { get; init; }

    public long NbpBytes { get; init; }

    public long ScriptBytes { get; init; }

    public long KernelBytes { get; init; }

    public long InitrdBytes { get; init; }

    public long BytesMoved => NbpBytes + ScriptBytes + KernelBytes + InitrdBytes;

    /// <summary>DHCP messages sent again because no answer came within the schedule's wait.</summary>
    public int DhcpRetransmits { get; init; }

    /// <summary>TFTP DATA blocks received twice (the server's retransmissions).</summary>
    public int TftpDuplicateBlocks { get; init; }

    /// <summary>ROM timeouts that found the server's packet already waiting (the client was late; see <see cref="Probe.TftpRomResult.LateReads"/>).</summary>
    public int TftpLateReads { get; init; }

    /// <summary>TCP connections used for the script, kernel and initrd (1 with keep-alive).</summary>
    public int HttpConnections { get; init; }

    public StormStage? FailedStage { get; init; }

    public StormFailureCause? FailureCause { get; init; }

    public string? FailureDetail { get; init; }

    public bool Booted => FailedStage is null;

    public override string ToString() => Booted
        ? $"{MacAddress}: booted in {(FinishedAt - PoweredOnAt).TotalMilliseconds:F0} ms, {BytesMoved} bytes"
        : $"{MacAddress}: failed at {FailedStage} ({FailureCause}): {FailureDetail}";
}
