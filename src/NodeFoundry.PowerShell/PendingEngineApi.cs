// ==========================================================================================
//  DELETE ON MERGE
//
//  Compile-only shims for engine APIs that other branches are writing in NodeFoundry.Engine
//  (Fleet/FleetLoader, Dhcp/DhcpServer, Dhcp/DhcpServerOptions, Dhcp/Leases/LeaseJournal).
//  Names and namespaces match the agreed contract exactly, so deleting this one file after the
//  engine branches land is the whole merge step. Nothing here has behaviour: every member that
//  would do work throws, and only the members the cmdlets use are declared.
// ==========================================================================================
#pragma warning disable CA1822, CA1065, CA2201, IDE0060

namespace NodeFoundry.Fleet
{
    using System.Net;
    using System.Net.NetworkInformation;

    /// <summary>SHIM (delete on merge).</summary>
    public static class FleetLoader
    {
        public static FleetLoadResult LoadFile(string path) =>
            throw new NotSupportedException("Pending engine merge: NodeFoundry.Fleet.FleetLoader.");
    }

    /// <summary>SHIM (delete on merge).</summary>
    public sealed class FleetLoadResult
    {
        public FleetConfig? Fleet { get; init; }

        public IReadOnlyList<FleetError> Errors { get; init; } = [];

        public bool IsValid => Fleet is not null && Errors.Count == 0;
    }

    /// <summary>SHIM (delete on merge).</summary>
    public sealed record FleetError(
        string File, int Line, int Column, string? Field, string? Value, string Message, string? Fix);

    /// <summary>SHIM (delete on merge).</summary>
    public sealed class FleetConfig
    {
        public IReadOnlyList<FleetNode> Nodes { get; init; } = [];
    }

    /// <summary>SHIM (delete on merge).</summary>
    public sealed class FleetNode
    {
        public required string Name { get; init; }

        public required PhysicalAddress MacAddress { get; init; }

        public Guid? Uuid { get; init; }

        public required string HostName { get; init; }

        public IPAddress? Address { get; init; }

        public string? Profile { get; init; }
    }
}

namespace NodeFoundry.Dhcp
{
    using System.Net;
    using NodeFoundry.Dhcp.Leases;
    using NodeFoundry.Events;
    using NodeFoundry.Fleet;
    using NodeFoundry.Hosting;

    /// <summary>SHIM (delete on merge).</summary>
    public sealed record DhcpServerOptions
    {
        public IPAddress ListenAddress { get; init; } = IPAddress.Any;

        public int Port { get; init; } = 67;

        public string? InterfaceName { get; init; }

        public string? JournalPath { get; init; }

        public static DhcpServerOptions FromFleet(FleetConfig fleet) =>
            throw new NotSupportedException("Pending engine merge: NodeFoundry.Dhcp.DhcpServerOptions.");
    }

    /// <summary>SHIM (delete on merge).</summary>
    public sealed class DhcpServer : IBootService, IDisposable
    {
        public DhcpServer(FleetConfig fleet, DhcpServerOptions options) =>
            throw new NotSupportedException("Pending engine merge: NodeFoundry.Dhcp.DhcpServer.");

        public string Name => string.Empty;

        public Task RunAsync(IBootEventSink events, CancellationToken cancellationToken) => Task.CompletedTask;

        public IReadOnlyList<Lease> GetLeases() => [];

        public void Dispose()
        {
        }
    }
}

namespace NodeFoundry.Dhcp.Leases
{
    /// <summary>SHIM (delete on merge).</summary>
    public static class LeaseJournal
    {
        public static IReadOnlyList<Lease> ReadLeases(string path) =>
            throw new NotSupportedException("Pending engine merge: NodeFoundry.Dhcp.Leases.LeaseJournal.");
    }
}
