using System.Net.NetworkInformation;

namespace NodeFoundry.Boot;

/// <summary>
/// Everything <see cref="IpxeScriptRenderer"/> needs for one script. Build it from a fleet node with
/// <see cref="FleetBootPlanner.ScriptRequest"/>, or by hand for a script that is not in a fleet file. URLs are absolute
/// and may contain iPXE settings such as <c>${mac}</c> or <c>${buildarch}</c>, which iPXE expands at boot time.
/// </summary>
public sealed record BootScriptRequest
{
    /// <summary>What the script does.</summary>
    public required BootScriptKind Kind { get; init; }

    /// <summary>The node's name, for comments and console messages; null for a script that serves any node.</summary>
    public string? NodeName { get; init; }

    /// <summary>The node's boot MAC; null makes every per-node URL use iPXE's <c>${mac}</c> instead.</summary>
    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>The fleet profile the script boots, for comments; null when none.</summary>
    public string? ProfileName { get; init; }

    /// <summary>Kernel URL (kernel kinds).</summary>
    public string? KernelUrl { get; init; }

    /// <summary>Initrd URL (required for the installer kinds, optional for <see cref="BootScriptKind.Custom"/>).</summary>
    public string? InitrdUrl { get; init; }

    /// <summary>Extra kernel arguments, added after the installer's own.</summary>
    public string? Cmdline { get; init; }

    /// <summary>
    /// The answer-file URL: the NoCloud seed directory (Ubuntu; must end with '/'), the kickstart (RHEL) or the
    /// preseed (Debian). Null derives it from <see cref="HttpBaseUrl"/> and the MAC with <see cref="BootRoutes"/>.
    /// </summary>
    public string? AnswerUrl { get; init; }

    /// <summary>Base URL of the NodeFoundry HTTP server (ends with '/'), used to derive <see cref="AnswerUrl"/>.</summary>
    public string? HttpBaseUrl { get; init; }

    /// <summary>Install source: the live ISO (Ubuntu <c>url=</c>) or the install tree (RHEL <c>inst.repo=</c>); unused for Debian.</summary>
    public string? RepoUrl { get; init; }

    /// <summary>The URL to chain-load (<see cref="BootScriptKind.Chain"/>) or SAN-boot (<see cref="BootScriptKind.Sanboot"/>).</summary>
    public string? TargetUrl { get; init; }

    /// <summary>Serial console such as <c>ttyS0,115200n8</c>; adds <c>console=tty0 console=…</c>.</summary>
    public string? SerialConsole { get; init; }

    /// <summary><c>x86_64</c> or <c>arm64</c>: the script refuses to boot the kernel under another iPXE <c>${buildarch}</c>.</summary>
    public string? Arch { get; init; }

    /// <summary>Host name handed to the Debian installer on the kernel line (it asks before reading the preseed).</summary>
    public string? HostName { get; init; }

    /// <summary>DNS domain handed to the Debian installer on the kernel line.</summary>
    public string? Domain { get; init; }

    /// <summary>Download progress timeout of each fetch (<c>--timeout</c>, whole milliseconds). Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times the script tries its downloads before it gives up and reboots. Default 3.</summary>
    public int Attempts { get; init; } = 3;
}
