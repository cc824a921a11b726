using NodeFoundry.Tests.Infrastructure;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>One lab and one running `nodefoundry serve` of examples/lab.yaml, shared by a test class.</summary>
public sealed class DhcpLabFixture : IDisposable
{
    public DhcpLabFixture()
    {
        Lab = new NetworkLab();
        Fleet = new LabFleet();
        Server = NodeFoundryProcess.Serve(Lab, Fleet.Path);
    }

    public NetworkLab Lab { get; }

    public LabFleet Fleet { get; }

    public LabProcess Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        Lab.Dispose();
        Fleet.Dispose();
    }
}
