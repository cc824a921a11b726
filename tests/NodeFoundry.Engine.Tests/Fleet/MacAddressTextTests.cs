using System.Net.NetworkInformation;
using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

public sealed class MacAddressTextTests
{
    [Theory]
    [InlineData("52:54:00:00:00:01")]
    [InlineData("52-54-00-00-00-01")]
    [InlineData("525400000001")]
    [InlineData("52:54:00:AB:cd:01", "52:54:00:ab:cd:01")]
    [InlineData("52-54-00-AB-CD-01", "52:54:00:ab:cd:01")]
    [InlineData("525400ABCD01", "52:54:00:ab:cd:01")]
    [InlineData("FF:FF:FF:FF:FF:FF", "ff:ff:ff:ff:ff:ff")]
    public void Parses(string text, string? formatted = null)
    {
        Assert.True(MacAddressText.TryParse(text, out PhysicalAddress mac));
        Assert.Equal(formatted ?? "52:54:00:00:00:01", MacAddressText.Format(mac));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("52:54:00:zz")]
    [InlineData("52:54:00:00:00")]
    [InlineData("52:54:00:00:00:01:02")]
    [InlineData("52:54-00:00:00:01")]
    [InlineData("52.54.00.00.00.01")]
    [InlineData("5254.0000.0001")]
    [InlineData("52540000000")]
    [InlineData("5254000000011")]
    [InlineData("52:54:00:00:00:0g")]
    [InlineData("52 54 00 00 00 01")]
    [InlineData("2:54:00:00:00:01")]
    public void Rejects(string? text)
    {
        Assert.False(MacAddressText.TryParse(text, out PhysicalAddress mac));
        Assert.Same(PhysicalAddress.None, mac);
    }

    [Theory]
    [InlineData("52:54:00:00:00:01", false)]
    [InlineData("01:00:5e:00:00:01", true)]
    [InlineData("ff:ff:ff:ff:ff:ff", true)]
    [InlineData("33:33:00:00:00:01", true)]
    [InlineData("02:00:00:00:00:01", false)]
    public void Tells_group_addresses(string text, bool multicast)
    {
        Assert.True(MacAddressText.TryParse(text, out PhysicalAddress mac));
        Assert.Equal(multicast, MacAddressText.IsMulticast(mac));
    }
}
