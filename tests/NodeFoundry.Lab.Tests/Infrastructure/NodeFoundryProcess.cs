namespace NodeFoundry.Tests.Infrastructure;

/// <summary>Starts the real service host (`nodefoundry serve`) inside a lab namespace.</summary>
public static class NodeFoundryProcess
{
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "nodefoundry.dll");

    public static LabProcess Serve(NetworkLab lab, string fleetPath, params string[] extra)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var process = lab.Start(lab.ServerNamespace, "dotnet", [HostDll, "serve", "--config", fleetPath, .. extra]);
        if (!process.WaitForOutput("nodefoundry: serving", TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"nodefoundry serve did not start.\nstdout: {process.StandardOutput}\nstderr: {process.StandardError}");
        }

        return process;
    }
}
