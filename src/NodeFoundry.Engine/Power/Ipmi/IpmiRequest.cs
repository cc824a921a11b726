namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// An IPMI request message as sent over LAN (IPMI v2.0 section 13.8): rsAddr, netFn/rsLUN, checksum 1, rqAddr,
/// rqSeq/rqLUN, command, data, checksum 2. The BMC is responder address 20h; a remote console calls itself software ID 81h.
/// </summary>
/// <param name="NetFn">Network function.</param>
/// <param name="Command">Command code.</param>
/// <param name="Sequence">rqSeq (6 bits): how the console matches a response to its request across retries.</param>
/// <param name="Data">Request data bytes.</param>
public sealed record IpmiRequest(IpmiNetFn NetFn, byte Command, byte Sequence, byte[] Data)
{
    /// <summary>The BMC's IPMB slave address.</summary>
    public const byte BmcAddress = 0x20;

    /// <summary>Software ID 81h: "remote console", what ipmitool uses.</summary>
    public const byte RemoteConsoleAddress = 0x81;

    /// <summary>Encodes the message bytes (the IPMI payload of a session packet).</summary>
    public byte[] Encode()
    {
        if (Sequence > 0x3F)
        {
            throw new ArgumentOutOfRangeException(nameof(Sequence), Sequence, "rqSeq is 6 bits (0-63)");
        }

        var bytes = new byte[7 + Data.Length];
        bytes[0] = BmcAddress;
        bytes[1] = (byte)((byte)NetFn << 2); // rsLUN 0 (the BMC)
        bytes[2] = IpmiChecksum.Compute(bytes.AsSpan(0, 2));
        bytes[3] = RemoteConsoleAddress;
        bytes[4] = (byte)(Sequence << 2); // rqLUN 0
        bytes[5] = Command;
        Data.CopyTo(bytes, 6);
        bytes[^1] = IpmiChecksum.Compute(bytes.AsSpan(3, bytes.Length - 4));
        return bytes;
    }
}
