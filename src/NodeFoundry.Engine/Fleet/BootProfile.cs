namespace NodeFoundry.Fleet;

/// <summary>How to install one operating system (fleet file: an entry of <c>profiles</c>, keyed by its name).</summary>
public sealed class BootProfile
{
    /// <summary>The profile's name (its key under <c>profiles</c>), matched case-insensitively by <see cref="FleetNode.Profile"/>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Installer family or boot action: <c>ubuntu</c> (autoinstall), <c>rhel</c> (kickstart), <c>debian</c> (preseed),
    /// <c>custom</c> (kernel, initrd and cmdline as given), <c>chain</c> (chain-load <see cref="Url"/>), <c>sanboot</c>
    /// (boot the SAN or ISO at <see cref="Url"/>) or <c>local</c> (exit to the local disk). Always lower case.
    /// </summary>
    public required string Os { get; init; }

    /// <summary>Kernel path relative to the HTTP root, or an absolute http(s) URL.</summary>
    public string? Kernel { get; init; }

    /// <summary>Initrd path relative to the HTTP root, or an absolute http(s) URL.</summary>
    public string? Initrd { get; init; }

    /// <summary>Extra kernel command-line arguments (the answer-file argument is added by the renderer).</summary>
    public string? Cmdline { get; init; }

    /// <summary>CPU architecture the kernel is built for: <c>x86_64</c> or <c>arm64</c>; null boots whatever iPXE runs on.</summary>
    public string? Arch { get; init; }

    /// <summary>Serial console for the kernel and installer, such as <c>ttyS0,115200n8</c>; null adds no console arguments.</summary>
    public string? SerialConsole { get; init; }

    /// <summary>
    /// Install source: the live ISO (<c>ubuntu</c>, <c>url=</c>), the install tree (<c>rhel</c>, <c>inst.repo=</c> and
    /// kickstart <c>url</c>) or the package mirror (<c>debian</c>). A path under the HTTP root or an absolute URL.
    /// </summary>
    public string? Repo { get; init; }

    /// <summary>The URL to chain-load (<c>chain</c>) or to boot from (<c>sanboot</c>, e.g. an ISO or iSCSI URI).</summary>
    public string? Url { get; init; }

    /// <summary>What the unattended install sets up (users, keys, disk, packages, phone home).</summary>
    public InstallSettings Install { get; init; } = InstallSettings.Default;

    /// <summary>Free-form settings (fleet file: <c>extra</c>) kept for tooling of your own; the built-in renderers do not read them. Keys are case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    /// <inheritdoc />
    public override string ToString() => Name;
}
