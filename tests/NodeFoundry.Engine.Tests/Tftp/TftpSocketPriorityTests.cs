using System.Net;
using System.Net.Sockets;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

/// <summary>TFTP sockets ask for the interactive socket priority on Linux (band 0 of a priority-banded egress queue).</summary>
public sealed class TftpSocketPriorityTests
{
    [Fact]
    public void A_tftp_socket_gets_the_interactive_priority_on_linux_and_is_left_alone_elsewhere()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var applied = TftpSocketPriority.TryApply(socket);

        if (OperatingSystem.IsLinux())
        {
            Assert.True(applied);
            Assert.Equal(TftpSocketPriority.Interactive, TftpSocketPriority.Read(socket));
        }
        else
        {
            Assert.False(applied);
            Assert.Null(TftpSocketPriority.Read(socket));
        }
    }

    [Fact]
    public void A_fresh_socket_has_the_default_priority_so_the_test_above_can_fail()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(0, TftpSocketPriority.Read(socket));
        }
    }
}
