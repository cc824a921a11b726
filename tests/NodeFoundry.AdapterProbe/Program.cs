using System.Reflection;
using System.Runtime.Loader;
using NodeFoundry.Fleet;

// Usage: NodeFoundry.AdapterProbe <fleet.yaml>
// Prints key=value lines: what the default context holds, what the engine parsed with, and the result.
string clash = Path.Combine(AppContext.BaseDirectory, "clash", "YamlDotNet.dll");
Assembly other = AssemblyLoadContext.Default.LoadFromAssemblyPath(clash);
// Use the other copy, as the module that brought it would.
Type stream = other.GetType("YamlDotNet.RepresentationModel.YamlStream", throwOnError: true)!;
Console.WriteLine($"default.yamldotnet={other.GetName().Version}");
Console.WriteLine($"default.yamldotnet.works={Activator.CreateInstance(stream) is not null}");

FleetLoadResult result = FleetLoader.LoadFile(args[0]);
Console.WriteLine($"fleet.valid={result.IsValid}");
Console.WriteLine($"fleet.nodes={result.Fleet?.Nodes.Count ?? -1}");

FleetLoadResult broken = FleetLoader.Parse("server:\n  address: [192.0.2.1\n", "broken.yaml");
Console.WriteLine($"broken.error={broken.Errors.FirstOrDefault()?.Line}:{broken.Errors.FirstOrDefault()?.Column}");

// The clash the private context avoids: had the engine bound YamlDotNet in the default context (PowerShell loads a
// module's dependencies there from the module folder), its 16.x would not load beside the 11.x already there.
try
{
    Assembly same = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "Dependencies", "YamlDotNet.dll"));
    Console.WriteLine($"default.load16={same.GetName().Version}");
}
catch (FileLoadException ex)
{
    Console.WriteLine($"default.load16={ex.GetType().Name}");
}

foreach (Assembly assembly in AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Where(a => a.GetName().Name == "YamlDotNet"))
{
    Console.WriteLine($"loaded={assembly.GetName().Version}@{AssemblyLoadContext.GetLoadContext(assembly)?.Name}@{assembly.Location}");
}
