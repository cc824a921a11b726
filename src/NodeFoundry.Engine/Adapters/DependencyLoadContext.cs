using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace NodeFoundry.Adapters;

/// <summary>
/// The engine's private AssemblyLoadContext for adapter assemblies and their third-party dependencies (YamlDotNet),
/// so those never meet another module's copy in the default context (PlatyPS ships an older YamlDotNet).
/// </summary>
/// <remarks>
/// Resolution, in order: the engine itself → the default context (adapters implement the engine's interfaces, so
/// the engine's types must be the very ones the default context loaded); a framework assembly (one in the runtime's
/// directory) → the default context; a file named after the assembly in <see cref="Directory"/> → loaded here;
/// anything else → the default context. Not collectible: adapters live as long as the process.
/// </remarks>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly string EngineName = typeof(DependencyLoadContext).Assembly.GetName().Name!;
    private readonly string _runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();

    public DependencyLoadContext(string directory)
        : base("NodeFoundry.Dependencies", isCollectible: false)
    {
        Directory = directory;
    }

    /// <summary>Where adapters and their dependencies are loaded from.</summary>
    public string Directory { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? name = assemblyName.Name;
        if (name is null || string.Equals(name, EngineName, StringComparison.OrdinalIgnoreCase) || IsFramework(name))
        {
            return null;
        }

        string path = Path.Combine(Directory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        // Native libraries an adapter's dependency ships beside it (none yet; Npgsql needs none).
        string path = Path.Combine(Directory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }

    private bool IsFramework(string name) =>
        name.Equals("netstandard", StringComparison.OrdinalIgnoreCase)
        || name.Equals("mscorlib", StringComparison.OrdinalIgnoreCase)
        || File.Exists(Path.Combine(_runtimeDirectory, name + ".dll"));
}
