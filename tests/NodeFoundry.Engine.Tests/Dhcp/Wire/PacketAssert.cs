using NodeFoundry.Dhcp.Wire;

namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>Field-by-field equality of two packets, as the round-trip property needs it.</summary>
internal static class PacketAssert
{
    /// <param name="checkOrder">
    /// Option order is part of the contract except that option 82 always goes last and, once
    /// overload spreads options over file and sname, options there read back after the options field.
    /// </param>
    public static void Equivalent(DhcpPacket expected, DhcpPacket actual, bool checkOrder = true)
    {
        Assert.Equal(expected.Op, actual.Op);
        Assert.Equal(expected.HardwareType, actual.HardwareType);
        Assert.Equal(expected.HardwareAddressLength, actual.HardwareAddressLength);
        Assert.Equal(expected.Hops, actual.Hops);
        Assert.Equal(expected.TransactionId, actual.TransactionId);
        Assert.Equal(expected.Seconds, actual.Seconds);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.ClientAddress, actual.ClientAddress);
        Assert.Equal(expected.YourAddress, actual.YourAddress);
        Assert.Equal(expected.ServerAddress, actual.ServerAddress);
        Assert.Equal(expected.GatewayAddress, actual.GatewayAddress);
        Assert.Equal(expected.ClientHardwareAddress, actual.ClientHardwareAddress);
        Assert.Equal(expected.ServerName, actual.ServerName);
        Assert.Equal(expected.BootFileName, actual.BootFileName);

        var expectedOptions = expected.Options.ToList();
        var actualOptions = actual.Options.ToList();
        Assert.Equal(expectedOptions.Count, actualOptions.Count);
        if (checkOrder)
        {
            var withoutRelay = expectedOptions.Where(o => o.Key != DhcpOptionCode.RelayAgentInformation).ToList();
            Assert.Equal(withoutRelay.Select(o => o.Key), actualOptions.Take(withoutRelay.Count).Select(o => o.Key));
        }

        foreach (var (code, value) in expectedOptions)
        {
            Assert.True(actual.Options.TryGet(code, out var actualValue), $"option {(byte)code} missing");
            Assert.Equal(value, actualValue.ToArray());
        }
    }

    public static DhcpPacket Parse(byte[] datagram)
    {
        bool ok = DhcpPacket.TryParse(datagram, out var packet, out var error);
        Assert.True(ok, error?.ToString());
        Assert.Null(error);
        return packet!;
    }
}
