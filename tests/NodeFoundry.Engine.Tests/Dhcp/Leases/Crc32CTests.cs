using System.Text;
using NodeFoundry.Dhcp.Leases;

namespace NodeFoundry.Tests.Dhcp.Leases;

public sealed class Crc32CTests
{
    [Fact]
    public void Check_value_matches_the_standard()
    {
        byte[] data = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xE3069283u, Crc32C.Compute(data));
        Assert.Equal(0xE3069283u, Crc32C.ComputeSoftware(data));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Hardware_and_table_paths_agree_on_every_length()
    {
        var random = new Random(7);
        var data = new byte[300];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            Assert.Equal(Crc32C.ComputeSoftware(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }
    }
}
