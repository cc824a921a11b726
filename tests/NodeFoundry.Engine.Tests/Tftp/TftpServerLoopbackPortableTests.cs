namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// Every loopback test again on the portable receive path (socket-engine receives feeding the loop's queue): the
/// path of every OS but Linux, and Linux's fallback when epoll cannot be set up.
/// </summary>
public sealed class TftpServerLoopbackPortableTests : TftpServerLoopbackTests
{
    protected override bool PortableReceive => true;
}
