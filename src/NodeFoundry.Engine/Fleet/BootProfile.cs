namespace NodeFoundry.Fleet;

/// <summary>How to install one operating system (fleet file: an entry of <c>profiles</c>, keyed by its name).</summary>
public sealed class BootProfile
{
    /// <summary>The profile's name (its key under <c>profiles</c>), matched case-insensitively by <see cref="FleetNode.Profile"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Installer family: <c>ubuntu</c> (autoinstall), <c>rhel</c> (kickstart), <c>debian</c> (preseed) or <c>custom</c>. Always lower case.</summary>
    public required string Os { get; init; }

    /// <summary>Kernel path relative to the HTTP root, or an absolute http(s) URL.</summary>
    public string? Kernel { get; init; }

    /// <summary>Initrd path relative to the HTTP root, or an absolute http(s) URL.</summary>
    public string? Initrd { get; init; }

    /// <summary>Extra kernel command-line arguments (the answer-file argument is added by the renderer).</summary>
    public string? Cmdline { get; init; }

    /// <summary>Free-form settings (fleet file: <c>extra</c>) kept for the answer-file renderers. Keys are case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    /// <inheritdoc />
    public override string ToString() => Name;
}
