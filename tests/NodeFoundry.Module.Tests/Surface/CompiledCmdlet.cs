using System.Reflection;

namespace NodeFoundry.Tests.Surface;

/// <summary>One compiled parameter as PowerShell would bind it, read from attributes only.</summary>
internal sealed record CompiledParameter(
    string Name,
    string TypeName,
    IReadOnlyList<string> ParameterSets,
    bool Required,
    string Position,
    string PipelineInput,
    IReadOnlyList<string> Aliases,
    bool SupportsWildcards,
    string? Completer = null);

/// <summary>A cmdlet class of the built module, read through MetadataLoadContext.</summary>
internal sealed class CompiledCmdlet
{
    public const string AllParameterSets = "__AllParameterSets";

    private CompiledCmdlet(Type type, CustomAttributeData cmdlet)
    {
        Type = type;
        Verb = (string)cmdlet.ConstructorArguments[0].Value!;
        Noun = (string)cmdlet.ConstructorArguments[1].Value!;
        SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess") is true;
        DeclaresConfirmImpact = cmdlet.NamedArguments.Any(a => a.MemberName == "ConfirmImpact");
        DefaultParameterSetName = Named(cmdlet, "DefaultParameterSetName") as string;
        OutputTypes = [.. type.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [arg.Value])
            .Select(v => v is Type t ? t.FullName! : v?.ToString() ?? "")];
        Parameters = ReadParameters(type, SupportsShouldProcess);
    }

    public Type Type { get; }

    public string Verb { get; }

    public string Noun { get; }

    public string Name => $"{Verb}-{Noun}";

    public bool SupportsShouldProcess { get; }

    public bool DeclaresConfirmImpact { get; }

    public string? DefaultParameterSetName { get; }

    public IReadOnlyList<string> OutputTypes { get; }

    public IReadOnlyList<CompiledParameter> Parameters { get; }

    public IEnumerable<string> ParameterSetNames =>
        Parameters.SelectMany(p => p.ParameterSets).Where(s => s != AllParameterSets).Distinct(StringComparer.Ordinal);

    public static IReadOnlyList<CompiledCmdlet> LoadAll(Assembly assembly) =>
        [.. assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute")))
            .Where(x => x.Attribute is not null)
            .Select(x => new CompiledCmdlet(x.Type, x.Attribute!))
            .OrderBy(c => c.Name, StringComparer.Ordinal)];

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.FirstOrDefault(a => a.MemberName == name).TypedValue.Value;

    private static List<CompiledParameter> ReadParameters(Type type, bool supportsShouldProcess)
    {
        var parameters = new List<CompiledParameter>();
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            IList<CustomAttributeData> attributes = property.GetCustomAttributesData();
            var declarations = attributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute").ToList();
            if (declarations.Count == 0)
            {
                continue;
            }

            int position = declarations.Select(d => Named(d, "Position") as int? ?? int.MinValue).Max();
            bool byValue = declarations.Any(d => Named(d, "ValueFromPipeline") is true);
            bool byName = declarations.Any(d => Named(d, "ValueFromPipelineByPropertyName") is true);
            string pipeline = (byName, byValue) switch
            {
                (true, true) => "True (ByPropertyName, ByValue)",
                (true, false) => "True (ByPropertyName)",
                (false, true) => "True (ByValue)",
                _ => "False",
            };
            var aliases = attributes
                .Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
                .SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
                .Select(v => (string)v.Value!)
                .ToList();

            parameters.Add(new CompiledParameter(
                property.Name,
                property.PropertyType.Name,
                [.. declarations.Select(d => Named(d, "ParameterSetName") as string ?? AllParameterSets).Order(StringComparer.Ordinal)],
                declarations.All(d => Named(d, "Mandatory") is true),
                position == int.MinValue ? "Named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture),
                pipeline,
                aliases,
                attributes.Any(a => a.AttributeType.FullName == "System.Management.Automation.SupportsWildcardsAttribute"),
                attributes
                    .Where(a => a.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute")
                    .Select(a => (a.ConstructorArguments[0].Value as Type)?.FullName)
                    .SingleOrDefault()));
        }

        if (supportsShouldProcess)
        {
            // Added by PowerShell to every cmdlet that supports ShouldProcess; PlatyPS documents them.
            parameters.Add(new CompiledParameter("WhatIf", "SwitchParameter", [AllParameterSets], false, "Named", "False", ["wi"], false));
            parameters.Add(new CompiledParameter("Confirm", "SwitchParameter", [AllParameterSets], false, "Named", "False", ["cf"], false));
        }

        return parameters;
    }
}
