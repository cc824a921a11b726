using System.Diagnostics.CodeAnalysis;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>Reads the secret a <see cref="SecretReference"/> points at, at render time.</summary>
public interface ISecretResolver
{
    /// <summary>The secret's value (trimmed of surrounding whitespace), or false with a reason that never contains the secret.</summary>
    bool TryResolve(SecretReference reference, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? problem);
}
