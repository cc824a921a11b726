using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NodeFoundry.Fleet;

namespace NodeFoundry.Host;

/// <summary>
/// The demo's world: the embedded example fleet moved onto loopback, and the stand-in files it serves.
/// <para>
/// The example lab lives on 192.0.2.0/24, which this machine does not have. The demo rewrites the
/// addresses to 127.0.0.0/24 (server 127.0.0.1, reservations 127.0.0.11–13, PXE range 127.0.0.150–199) and
/// the HTTP port to a free one, so the addresses DHCP hands out are addresses the simulated clients can
/// really send from (Linux answers the whole of 127.0.0.0/8 on <c>lo</c>), and the URLs DHCP and the
/// script name are URLs they can fetch. The TFTP and HTTP roots are folders in the demo's temporary folder
/// holding small stand-ins (a recognisable header and a deterministic filler) for every loader, kernel and
/// initrd the fleet names.
/// </para>
/// </summary>
internal sealed class DemoLab
{
    private const int StandInBytes = 6000; // more than four TFTP blocks at the ROM client's blksize

    /// <summary>The shape of a SHA-512 crypt(3) hash; it opens no account anywhere.</summary>
    private const string StandInPasswordHash = "$6$nodefoundrydemo$Ss7kq0dJ3m3m0Yb6yQe7fUoJ3kq2sQh1wX0bqU0vE5yq9gN6yV3m8bK1pZ2rC4tD7eF9gH1jK3lM5nP7qR9sT/";

    private DemoLab(FleetConfig fleet, string tftpRoot, string httpRoot)
    {
        Fleet = fleet;
        TftpRoot = tftpRoot;
        HttpRoot = httpRoot;
    }

    public FleetConfig Fleet { get; }

    public string TftpRoot { get; }

    public string HttpRoot { get; }

    /// <summary>Parses the embedded fleet moved onto loopback, with <c>state</c> as its folder, and writes the stand-ins.</summary>
    public static DemoLab Create(string yaml, DirectoryInfo state)
    {
        var httpPort = FreeTcpPort();
        var local = yaml
            .Replace("192.0.2.", "127.0.0.", StringComparison.Ordinal)
            .Replace("httpPort: 80", string.Create(CultureInfo.InvariantCulture, $"httpPort: {httpPort}"), StringComparison.Ordinal);
        // A real fleet folder: the file, its secrets and roots side by side, so everything that resolves
        // paths against the fleet file's folder (roots, file: secrets) finds the demo's copies.
        var path = Path.Combine(state.FullName, "lab.yaml");
        File.WriteAllText(path, local);
        var loaded = FleetLoader.LoadFile(path);
        if (!loaded.IsValid)
        {
            throw new InvalidOperationException($"the embedded example fleet is invalid:\n  {string.Join("\n  ", loaded.Errors)}");
        }

        var fleet = loaded.Fleet!;
        var lab = new DemoLab(fleet, Path.GetFullPath(fleet.Server.TftpRoot, state.FullName), Path.GetFullPath(fleet.Server.HttpRoot, state.FullName));
        foreach (var loader in fleet.Boot.Loaders.Values)
        {
            if (loader.StartsWith("{http}", StringComparison.Ordinal))
            {
                WriteStandIn(lab.HttpRoot, loader["{http}".Length..]);
            }
            else
            {
                WriteStandIn(lab.TftpRoot, loader);
            }
        }

        foreach (var profile in fleet.Profiles.Values)
        {
            foreach (var file in new[] { profile.Kernel, profile.Initrd })
            {
                if (file is not null && !file.Contains("://", StringComparison.Ordinal))
                {
                    WriteStandIn(lab.HttpRoot, file);
                }
            }

            // The answer files need the password hash the profile names (never a password): a stand-in crypt(3) hash.
            if (profile.Install.PasswordHash is { Scheme: SecretReference.FileScheme } secret)
            {
                var secretPath = Path.GetFullPath(secret.Name, state.FullName);
                Directory.CreateDirectory(Path.GetDirectoryName(secretPath)!);
                File.WriteAllText(secretPath, StandInPasswordHash + "\n");
            }
        }

        return lab;
    }

    /// <summary>What the stand-in at <paramref name="relative"/> holds: the demo's own record, not the servers'.</summary>
    public static byte[] StandIn(string relative)
    {
        var header = Encoding.ASCII.GetBytes($"NodeFoundry demo stand-in for {relative}\n");
        var bytes = new byte[StandInBytes];
        header.CopyTo(bytes, 0);
        for (var i = header.Length; i < bytes.Length; i++)
        {
            bytes[i] = (byte)('a' + ((i * 7) + relative.Length) % 26);
        }

        return bytes;
    }

    private static void WriteStandIn(string root, string relative)
    {
        var path = Path.Combine(root, relative.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, StandIn(relative.TrimStart('/')));
    }

    /// <summary>A TCP port free right now on 127.0.0.1 (the fleet's base URL must name the port before the server binds it).</summary>
    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
