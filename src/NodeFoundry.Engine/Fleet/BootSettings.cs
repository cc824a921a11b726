using System.Collections.ObjectModel;
using System.Globalization;
using System.Net;
using NodeFoundry.Boot;

namespace NodeFoundry.Fleet;

/// <summary>What network-booting clients are told to load (fleet file: <c>boot</c>).</summary>
public sealed class BootSettings
{
    /// <summary>Placeholder for <see cref="HttpBaseUrl"/> (ends with '/').</summary>
    public const string HttpPlaceholder = "{http}";

    /// <summary>Placeholder for the client's MAC address.</summary>
    public const string MacPlaceholder = "{mac}";

    /// <summary>Placeholder for the client's IPv4 address.</summary>
    public const string IpPlaceholder = "{ip}";

    /// <summary>Placeholder for the client's system UUID.</summary>
    public const string UuidPlaceholder = "{uuid}";

    /// <summary>Placeholder for the node's host name.</summary>
    public const string HostNamePlaceholder = "{hostname}";

    /// <summary>Default iPXE script URL.</summary>
    public const string DefaultIpxeScriptUrl = "{http}boot/{mac}.ipxe";

    private readonly string _httpBaseUrl = "http://0.0.0.0/";

    /// <summary>Every placeholder the servers expand in loaders and URLs.</summary>
    public static IReadOnlyList<string> Placeholders { get; } =
        [HttpPlaceholder, MacPlaceholder, IpPlaceholder, UuidPlaceholder, HostNamePlaceholder];

    /// <summary>
    /// Loaders used when the fleet file names none: iPXE builds for PXE-over-TFTP firmware (paths relative to the
    /// TFTP root) and full URLs for HTTP-booting firmware (UEFI HTTP Boot must be given a URL).
    /// </summary>
    public static IReadOnlyDictionary<FirmwareKind, string> DefaultLoaders { get; } = new Dictionary<FirmwareKind, string>
    {
        [FirmwareKind.Bios] = "undionly.kpxe",
        [FirmwareKind.EfiIa32] = "ipxe-i386.efi",
        [FirmwareKind.EfiX64] = "ipxe.efi",
        [FirmwareKind.EfiArm32] = "ipxe-arm32.efi",
        [FirmwareKind.EfiArm64] = "ipxe-arm64.efi",
        [FirmwareKind.EfiIa32Http] = "{http}ipxe-i386.efi",
        [FirmwareKind.EfiX64Http] = "{http}ipxe.efi",
        [FirmwareKind.EfiArm64Http] = "{http}ipxe-arm64.efi",
        [FirmwareKind.BiosHttp] = "{http}undionly.kpxe",
        [FirmwareKind.EfiRiscV32] = "ipxe-riscv32.efi",
        [FirmwareKind.EfiRiscV64] = "ipxe-riscv64.efi",
    }.AsReadOnly();

    /// <summary>Loader (network bootstrap program) per firmware kind. A kind missing here gets no boot answer.</summary>
    public IReadOnlyDictionary<FirmwareKind, string> Loaders { get; init; } = DefaultLoaders;

    /// <summary>
    /// Base URL of the HTTP server as clients reach it; always ends with '/'. Default
    /// <c>http://{server.address}/</c>, with <c>:{httpPort}</c> when the port is not 80.
    /// </summary>
    public required string HttpBaseUrl
    {
        get => _httpBaseUrl;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _httpBaseUrl = value.EndsWith('/') ? value : value + "/";
        }
    }

    /// <summary>URL of the per-node iPXE script handed to iPXE clients; placeholders are expanded by the servers.</summary>
    public string IpxeScriptUrl { get; init; } = DefaultIpxeScriptUrl;

    /// <summary>Timeout for iPXE chain/fetch commands in generated scripts.</summary>
    public TimeSpan ChainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a generated iPXE script tries its downloads before it gives up and reboots (1–100).</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>The default <see cref="HttpBaseUrl"/> for a server address and HTTP port.</summary>
    public static string DefaultHttpBaseUrl(IPAddress serverAddress, int httpPort)
    {
        ArgumentNullException.ThrowIfNull(serverAddress);
        return httpPort == 80
            ? string.Create(CultureInfo.InvariantCulture, $"http://{serverAddress}/")
            : string.Create(CultureInfo.InvariantCulture, $"http://{serverAddress}:{httpPort}/");
    }

    /// <summary>Default settings for a server: default loaders, script URL and timeout, and the default base URL.</summary>
    public static BootSettings ForServer(ServerSettings server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new BootSettings { HttpBaseUrl = DefaultHttpBaseUrl(server.Address, server.HttpPort) };
    }

    internal static ReadOnlyDictionary<FirmwareKind, string> Copy(IDictionary<FirmwareKind, string> loaders) =>
        new Dictionary<FirmwareKind, string>(loaders).AsReadOnly();
}
