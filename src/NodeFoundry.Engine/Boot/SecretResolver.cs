using System.Diagnostics.CodeAnalysis;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Resolves <c>file:PATH</c> (relative to <paramref name="baseDirectory"/>, normally the fleet file's folder; the
/// first non-empty line of the file) and <c>env:NAME</c> (this process's environment).
/// </summary>
public sealed class SecretResolver(string baseDirectory) : ISecretResolver
{
    private readonly string _baseDirectory = Path.GetFullPath(baseDirectory);

    /// <summary>A resolver for the folder of a fleet's file (the current directory when the fleet was parsed from text).</summary>
    public static SecretResolver ForFleet(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return new SecretResolver(Path.GetDirectoryName(fleet.SourcePath) ?? Directory.GetCurrentDirectory());
    }

    /// <inheritdoc />
    public bool TryResolve(SecretReference reference, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(reference);
        value = null;
        if (reference.Scheme == SecretReference.EnvironmentScheme)
        {
            value = Environment.GetEnvironmentVariable(reference.Name)?.Trim();
            problem = string.IsNullOrEmpty(value) ? $"the environment variable {reference.Name} is not set" : null;
            return problem is null;
        }

        string path = Path.GetFullPath(reference.Name, _baseDirectory);
        try
        {
            value = File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            problem = $"the file {path} cannot be read ({ex.GetType().Name})";
            return false;
        }

        problem = value is null ? $"the file {path} is empty" : null;
        return problem is null;
    }
}
