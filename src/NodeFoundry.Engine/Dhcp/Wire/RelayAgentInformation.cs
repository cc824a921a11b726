namespace NodeFoundry.Dhcp.Wire;

/// <summary>
/// Option 82 sub-options (RFC 3046 §2.0). They identify where a relayed request came from (switch
/// port, relay), which inventory can match when MAC addresses are not known in advance.
/// </summary>
public static class RelayAgentInformation
{
    /// <summary>Agent circuit id: the port or interface the request arrived on.</summary>
    public const byte CircuitId = 1;

    /// <summary>Agent remote id: the relay (or remote host end) itself.</summary>
    public const byte RemoteId = 2;

    /// <summary>
    /// Plain code/length/value sub-options (RFC 3046 has no Pad or End). Never throws: a truncated
    /// tail is dropped and a repeated code keeps its first value.
    /// </summary>
    public static IReadOnlyDictionary<byte, byte[]> ParseSubOptions(ReadOnlySpan<byte> option82) =>
        DhcpSubOptions.Parse(option82, padAndEnd: false);
}
