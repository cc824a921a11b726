using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Fleet;

/// <summary>
/// Where a secret is kept, never the secret itself: <c>file:PATH</c> (relative paths resolve against the fleet
/// file's folder) or <c>env:NAME</c> (an environment variable of the rendering process).
/// </summary>
/// <param name="Scheme"><c>file</c> or <c>env</c>.</param>
/// <param name="Name">The path or the variable name.</param>
public sealed record SecretReference(string Scheme, string Name)
{
    /// <summary>The <c>file:</c> scheme.</summary>
    public const string FileScheme = "file";

    /// <summary>The <c>env:</c> scheme.</summary>
    public const string EnvironmentScheme = "env";

    /// <summary>Parses <c>file:PATH</c> or <c>env:NAME</c>; false for anything else.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SecretReference? reference)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        string scheme = text[..colon];
        string name = text[(colon + 1)..];
        if (scheme == FileScheme)
        {
            reference = new SecretReference(FileScheme, name);
            return true;
        }

        if (scheme == EnvironmentScheme && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            reference = new SecretReference(EnvironmentScheme, name);
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Scheme + ":" + Name;
}
