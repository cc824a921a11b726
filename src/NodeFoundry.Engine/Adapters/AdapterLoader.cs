using System.Reflection;
using System.Runtime.Loader;

namespace NodeFoundry.Adapters;

/// <summary>
/// Loads adapter assemblies (an engine port implemented over a third-party library) into the engine's one private
/// <see cref="AssemblyLoadContext"/>. The adapter is looked for in a <c>Dependencies</c> folder next to
/// NodeFoundry.Engine.dll (the PowerShell module's layout), else next to the engine itself (the host and tests).
/// See docs/module-layout.md.
/// </summary>
public static class AdapterLoader
{
    /// <summary>The folder, next to NodeFoundry.Engine.dll, that holds adapters and their dependencies in the module.</summary>
    public const string DependenciesFolderName = "Dependencies";

    private static readonly object Gate = new();
    private static DependencyLoadContext? _context;

    /// <summary>The private load context, once an adapter has been loaded; null before.</summary>
    public static AssemblyLoadContext? LoadContext
    {
        get
        {
            lock (Gate)
            {
                return _context;
            }
        }
    }

    /// <summary>The folders an adapter is looked for in, in order.</summary>
    public static IReadOnlyList<string> SearchDirectories
    {
        get
        {
            string engine = EngineDirectory();
            return [Path.Combine(engine, DependenciesFolderName), engine];
        }
    }

    /// <summary>
    /// Loads the adapter assembly <paramref name="assemblyName"/> (without ".dll") and creates its one public class
    /// that implements <typeparamref name="TPort"/> through that class's public parameterless constructor.
    /// </summary>
    /// <exception cref="FileNotFoundException">The adapter assembly is in none of <see cref="SearchDirectories"/>.</exception>
    /// <exception cref="InvalidOperationException">The adapter has no (or more than one) usable implementation.</exception>
    public static TPort Create<TPort>(string assemblyName)
        where TPort : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyName);
        Assembly adapter = LoadAdapter(assemblyName);
        Type[] candidates = [.. adapter.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(TPort).IsAssignableFrom(t))];
        if (candidates.Length != 1)
        {
            throw new InvalidOperationException(
                $"The adapter {adapter.Location} must export exactly one class implementing {typeof(TPort).FullName}; it exports {candidates.Length}. "
                + $"If it has one, it was compiled against another NodeFoundry.Engine than {typeof(TPort).Assembly.Location}.");
        }

        return (TPort)Activator.CreateInstance(candidates[0])!;
    }

    private static Assembly LoadAdapter(string assemblyName)
    {
        string file = assemblyName + ".dll";
        IReadOnlyList<string> directories = SearchDirectories;
        string? directory = directories.FirstOrDefault(d => File.Exists(Path.Combine(d, file)));
        if (directory is null)
        {
            throw new FileNotFoundException(
                $"NodeFoundry cannot find its adapter {file}; looked in {string.Join(" and ", directories)}. "
                + $"It ships with NodeFoundry (in the module's {DependenciesFolderName} folder); reinstall or rebuild NodeFoundry.",
                file);
        }

        DependencyLoadContext context;
        lock (Gate)
        {
            // One context per process: every adapter and every dependency they share load once, together.
            _context ??= new DependencyLoadContext(directory);
            context = _context;
        }

        string path = Path.Combine(context.Directory, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"NodeFoundry's adapters load from {context.Directory}, but {file} is in {directory}. Keep all adapters in one folder.", file);
        }

        return context.LoadFromAssemblyName(new AssemblyName(assemblyName));
    }

    private static string EngineDirectory()
    {
        string location = typeof(AdapterLoader).Assembly.Location;
        return location.Length > 0 ? Path.GetDirectoryName(location)! : AppContext.BaseDirectory;
    }
}
