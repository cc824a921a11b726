using System.Net.Sockets;
using NodeFoundry.PowerShell.Jobs;

namespace NodeFoundry.Tests.Jobs;

public sealed class BootServiceFailureTests
{
    public static TheoryData<Exception, string, string> Cases => new()
    {
        { new SocketException((int)SocketError.AddressAlreadyInUse), "NfBootServiceAddressInUse", nameof(BootFailureKind.AddressInUse) },
        { new InvalidOperationException("bind failed", new SocketException((int)SocketError.AddressAlreadyInUse)), "NfBootServiceAddressInUse", nameof(BootFailureKind.AddressInUse) },
        { new AggregateException(new SocketException((int)SocketError.AddressAlreadyInUse)), "NfBootServiceAddressInUse", nameof(BootFailureKind.AddressInUse) },
        { new SocketException((int)SocketError.AccessDenied), "NfBootServicePermissionDenied", nameof(BootFailureKind.PermissionDenied) },
        { new UnauthorizedAccessException("journal"), "NfBootServicePermissionDenied", nameof(BootFailureKind.PermissionDenied) },
        { new SocketException((int)SocketError.AddressNotAvailable), "NfBootServiceAddressNotAvailable", nameof(BootFailureKind.AddressNotAvailable) },
        { new ArgumentException("no such interface", "InterfaceName"), "NfBootServiceInvalidConfiguration", nameof(BootFailureKind.InvalidConfiguration) },
        { new PlatformNotSupportedException("SO_BINDTODEVICE is Linux-only"), "NfBootServiceInvalidConfiguration", nameof(BootFailureKind.InvalidConfiguration) },
        { new InvalidOperationException("journal", new UnauthorizedAccessException("denied")), "NfBootServicePermissionDenied", nameof(BootFailureKind.PermissionDenied) },
        { new IOException("disk full"), "NfBootServiceFailed", nameof(BootFailureKind.Other) },
        { new SocketException((int)SocketError.NetworkDown), "NfBootServiceFailed", nameof(BootFailureKind.Other) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_engine_failures_into_stable_error_ids(Exception failure, string errorId, string kind)
    {
        (string actualId, BootFailureKind actualKind) = BootServiceFailure.Classify(failure);
        Assert.Equal((errorId, kind), (actualId, actualKind.ToString()));
    }
}
