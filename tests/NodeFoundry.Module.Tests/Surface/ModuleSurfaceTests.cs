using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NodeFoundry.Tests.Help;

namespace NodeFoundry.Tests.Surface;

/// <summary>
/// The module's public surface, read from the built assembly with MetadataLoadContext (there is no
/// PowerShell runtime here): verbs, nouns, OutputType, manifest exports, format views and help pages.
/// </summary>
public sealed class ModuleSurfaceTests : IDisposable
{
    /// <summary>Get-Verb in PowerShell 7 (all groups: Common, Communications, Data, Diagnostic, Lifecycle, Other, Security).</summary>
    private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        // Common
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New",
        "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set",
        "Show", "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch",

        // Communications
        "Connect", "Disconnect", "Read", "Receive", "Send", "Write",

        // Data
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit",
        "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore",
        "Save", "Sync", "Unpublish", "Update",

        // Diagnostic
        "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",

        // Lifecycle
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke",
        "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",

        // Other
        "Use",

        // Security
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
    };

    private readonly MetadataLoadContext _context = ModuleLayout.CreateLoadContext();
    private readonly IReadOnlyList<CompiledCmdlet> _cmdlets;

    public ModuleSurfaceTests()
    {
        Assembly module = _context.LoadFromAssemblyPath(ModuleLayout.BuiltAssembly(ModuleLayout.CmdletAssemblyName));
        _context.LoadFromAssemblyPath(ModuleLayout.BuiltAssembly(ModuleLayout.EngineAssemblyName));
        _cmdlets = CompiledCmdlet.LoadAll(module);
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Approved_verb_list_is_PowerShell_7s()
    {
        Assert.Equal(100, ApprovedVerbs.Count);
    }

    [Fact]
    public void The_module_has_the_expected_cmdlets()
    {
        Assert.Equal(["Get-NfBootTimeline", "Get-NfLease", "Get-NfNodeInventory", "Import-NfFleet", "Invoke-NfBootStorm", "Invoke-NfPowerCycle", "New-NfAnswerFile", "New-NfBootScript", "Start-NfBootStack", "Start-NfDhcpServer", "Start-NfHttpServer", "Start-NfTftpServer", "Test-NfBootPath", "Wait-NfNode"], _cmdlets.Select(c => c.Name));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_and_the_Nf_noun_prefix()
    {
        Assert.All(_cmdlets, c =>
        {
            Assert.True(ApprovedVerbs.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb (Get-Verb)");
            Assert.True(c.Noun.StartsWith("Nf", StringComparison.Ordinal) && c.Noun.Length > 2 && char.IsUpper(c.Noun[2]), $"{c.Name}: noun must start with 'Nf' followed by a capital");
            Assert.Equal(c.Verb + c.Noun + "Command", c.Type.Name);
        });
    }

    [Fact]
    public void Every_cmdlet_declares_OutputType_of_a_NodeFoundry_type()
    {
        Assert.All(_cmdlets, c =>
        {
            Assert.True(c.OutputTypes.Count > 0, $"{c.Name}: no [OutputType]");
            Assert.All(c.OutputTypes, t => Assert.True(t.StartsWith("NodeFoundry.", StringComparison.Ordinal), $"{c.Name}: OutputType {t} is not a NodeFoundry type"));
        });
    }

    [Fact]
    public void Every_ShouldProcess_cmdlet_declares_ConfirmImpact()
    {
        Assert.All(_cmdlets.Where(c => c.SupportsShouldProcess), c => Assert.True(c.DeclaresConfirmImpact, $"{c.Name}: SupportsShouldProcess without ConfirmImpact"));
    }

    [Fact]
    public void The_network_touching_cmdlets_support_ShouldProcess()
    {
        Assert.All(_cmdlets.Where(c => c.Verb == "Start"), c => Assert.True(c.SupportsShouldProcess, $"{c.Name}: binds sockets without ShouldProcess"));
    }

    [Fact]
    public void The_hardware_touching_cmdlets_confirm_with_high_impact()
    {
        CompiledCmdlet power = _cmdlets.Single(c => c.Name == "Invoke-NfPowerCycle");
        CustomAttributeData cmdlet = power.Type.GetCustomAttributesData().Single(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
        object? impact = cmdlet.NamedArguments.Single(a => a.MemberName == "ConfirmImpact").TypedValue.Value;

        Assert.True(power.SupportsShouldProcess);
        Assert.Equal(3, Convert.ToInt32(impact, System.Globalization.CultureInfo.InvariantCulture)); // ConfirmImpact.High
        Assert.Equal("PSCredential", power.Parameters.Single(p => p.Name == "Credential").TypeName);
        // Optional: without it, the fleet file's bmc.credential is read with Get-Secret.
        Assert.False(power.Parameters.Single(p => p.Name == "Credential").Required);
        Assert.Equal("True (ByPropertyName)", power.Parameters.Single(p => p.Name == "Bmc").PipelineInput);
    }

    [Fact]
    public void Every_server_cmdlet_is_a_StartBootServiceCommand_with_the_shared_surface()
    {
        string[] shared = ["EventBufferSize", "FleetFile", "ListenAddress", "Name", "Port", "Wait"];
        CompiledCmdlet[] servers = [.. _cmdlets.Where(c => c.Name.StartsWith("Start-Nf", StringComparison.Ordinal) && c.Name.EndsWith("Server", StringComparison.Ordinal))];

        Assert.Equal(3, servers.Length);
        Assert.All(servers, c =>
        {
            Assert.Equal("NodeFoundry.PowerShell.Commands.StartBootServiceCommand`1", c.Type.BaseType?.GetGenericTypeDefinition().FullName);
            Assert.Equal("AsJob", c.DefaultParameterSetName);
            Assert.Equal(["AsJob", "Wait"], c.ParameterSetNames.Order(StringComparer.Ordinal));
            Assert.Subset(c.Parameters.Select(p => p.Name).ToHashSet(), shared.ToHashSet());
            Assert.Contains("NodeFoundry.PowerShell.Jobs.BootServiceJob", c.OutputTypes);
            Assert.Equal(["FullName", "SourcePath"], c.Parameters.Single(p => p.Name == "FleetFile").Aliases);
        });
    }

    [Fact]
    public void Fleet_values_complete_from_the_fleet_file()
    {
        // A MAC, a node name or a profile is typed from a fleet file the operator has open: Tab must offer them.
        // -Name on Start-* is the job's name, not a node's.
        var expectations = _cmdlets
            .SelectMany(c => c.Parameters.Select(p => (Cmdlet: c, Parameter: p)))
            .Select(x => (x.Cmdlet, x.Parameter, Expected: x.Parameter.Name switch
            {
                "MacAddress" => "NodeFoundry.PowerShell.Completion.FleetMacAddressCompleter",
                "Profile" => "NodeFoundry.PowerShell.Completion.FleetProfileCompleter",
                "Name" when x.Cmdlet.Verb != "Start" => "NodeFoundry.PowerShell.Completion.FleetNodeNameCompleter",
                _ => null,
            }))
            .Where(x => x.Expected is not null)
            .ToList();

        Assert.True(expectations.Count >= 9, $"only {expectations.Count} fleet-valued parameters found");
        Assert.All(expectations, x => Assert.True(x.Parameter.Completer == x.Expected, $"{x.Cmdlet.Name} -{x.Parameter.Name}: completer {x.Parameter.Completer ?? "none"}, expected {x.Expected}"));
    }

    [Fact]
    public void Every_completer_is_a_public_IArgumentCompleter_with_a_default_constructor()
    {
        // PowerShell instantiates the type named by [ArgumentCompleter] itself.
        Type[] completers = [.. _cmdlets.SelectMany(c => c.Parameters).Select(p => p.Completer).OfType<string>().Distinct()
            .Select(name => _cmdlets[0].Type.Assembly.GetType(name, throwOnError: true)!)];
        Assert.NotEmpty(completers);
        Assert.All(completers, t =>
        {
            Assert.True(t.IsPublic && !t.IsAbstract, $"{t.Name} must be public and concrete");
            Assert.Contains(t.GetInterfaces(), i => i.FullName == "System.Management.Automation.IArgumentCompleter");
            Assert.NotNull(t.GetConstructor(Type.EmptyTypes));
        });
    }

    [Fact]
    public void Manifest_exports_exactly_the_compiled_cmdlets()
    {
        IReadOnlyList<string> exported = ModuleLayout.ManifestList("CmdletsToExport");

        Assert.Equal(_cmdlets.Select(c => c.Name).Order(StringComparer.Ordinal), exported.Order(StringComparer.Ordinal));
        Assert.Equal(exported.Count, exported.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Manifest_fields_match_the_build()
    {
        Assert.Equal(ModuleLayout.VersionPrefix, ModuleLayout.ManifestValue("ModuleVersion"));
        Assert.Equal(ModuleLayout.CmdletAssemblyName + ".dll", ModuleLayout.ManifestValue("RootModule"));
        Assert.Equal("7.4", ModuleLayout.ManifestValue("PowerShellVersion"));
        Assert.Equal(["Core"], ModuleLayout.ManifestList("CompatiblePSEditions"));
        Assert.Equal([Path.GetFileName(ModuleLayout.FormatPath)], ModuleLayout.ManifestList("FormatsToProcess"));
        Assert.True(Guid.TryParse(ModuleLayout.ManifestValue("GUID"), out _));
        Assert.Empty(ModuleLayout.ManifestList("FunctionsToExport"));
        Assert.Empty(ModuleLayout.ManifestList("AliasesToExport"));
    }

    [Fact]
    public void Engine_does_not_reference_System_Management_Automation()
    {
        Assembly engine = _context.LoadFromAssemblyPath(ModuleLayout.BuiltAssembly(ModuleLayout.EngineAssemblyName));

        Assert.DoesNotContain(engine.GetReferencedAssemblies(), a => a.Name == "System.Management.Automation");
        Assert.DoesNotContain(engine.GetReferencedAssemblies(), a => a.Name == "Microsoft.PowerShell.SDK");
    }

    [Fact]
    public void Every_output_type_has_a_table_view_whose_properties_exist()
    {
        XDocument format = XDocument.Load(ModuleLayout.FormatPath);
        var views = format.Descendants("View").ToDictionary(
            v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value,
            v => v);

        foreach (string typeName in _cmdlets.SelectMany(c => c.OutputTypes).Distinct())
        {
            Assert.True(views.TryGetValue(typeName, out XElement? view), $"no format view for {typeName}");
            Assert.NotNull(view.Element("TableControl"));
            Type type = ResolveType(typeName);
            // Properties shown directly, and the ones script-block columns read ($_.Name, not $_.Method(...)).
            IEnumerable<string> scripted = view.Descendants("ScriptBlock")
                .SelectMany(b => Regex.Matches(b.Value, @"\$_\.(\w+)\b(?!\()").Select(m => m.Groups[1].Value));
            foreach (string property in view.Descendants("PropertyName").Select(p => p.Value).Concat(scripted).Distinct())
            {
                Assert.True(type.GetProperty(property) is not null, $"view {typeName} shows '{property}', which {type.FullName} does not have");
            }
        }
    }

    [Fact]
    public void Every_cmdlet_has_a_help_page_and_every_page_a_cmdlet()
    {
        string[] pages = [.. HelpGenerator.CommandPages(ModuleLayout.DocsDirectory)
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)!];

        Assert.Equal(_cmdlets.Select(c => c.Name), pages);
    }

    [Fact]
    public void Help_pages_document_exactly_the_compiled_parameters()
    {
        foreach (CompiledCmdlet cmdlet in _cmdlets)
        {
            CommandHelp help = PlatyPsMarkdown.Parse(File.ReadAllText(Path.Combine(ModuleLayout.DocsDirectory, cmdlet.Name + ".md")));
            Assert.Equal(cmdlet.Name, help.Name);

            Assert.True(
                cmdlet.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal).SequenceEqual(help.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal)),
                $"{cmdlet.Name}: compiled parameters [{string.Join(", ", cmdlet.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal))}] "
                + $"but documented [{string.Join(", ", help.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal))}]");

            foreach (CompiledParameter compiled in cmdlet.Parameters)
            {
                HelpParameter documented = help.Parameters.Single(p => p.Name == compiled.Name);
                string where = $"{cmdlet.Name} -{compiled.Name}";
                Assert.True(compiled.TypeName == documented.Get("Type"), $"{where}: Type is {compiled.TypeName}, documented {documented.Get("Type")}");
                Assert.True(compiled.Required == documented.Required, $"{where}: Required is {compiled.Required}, documented {documented.Get("Required")}");
                Assert.True(compiled.Position == documented.Get("Position"), $"{where}: Position is {compiled.Position}, documented {documented.Get("Position")}");
                Assert.True(compiled.PipelineInput == documented.Get("Accept pipeline input"), $"{where}: pipeline input is {compiled.PipelineInput}, documented {documented.Get("Accept pipeline input")}");
                Assert.True(compiled.Aliases.Order(StringComparer.Ordinal).SequenceEqual(documented.Aliases.Order(StringComparer.Ordinal)), $"{where}: aliases [{string.Join(", ", compiled.Aliases)}], documented [{documented.Get("Aliases")}]");
                Assert.True(compiled.SupportsWildcards == (documented.Get("Accept wildcard characters") == "True"), $"{where}: wildcard support differs from the page");
                string[] compiledSets = compiled.ParameterSets.SequenceEqual([CompiledCmdlet.AllParameterSets]) ? ["(All)"] : [.. compiled.ParameterSets];
                Assert.True(compiledSets.SequenceEqual(documented.ParameterSets), $"{where}: parameter sets [{string.Join(", ", compiledSets)}], documented [{documented.Get("Parameter Sets")}]");
                Assert.True(documented.Description.Count > 0, $"{where}: no description");
            }

            Assert.Equal(cmdlet.ParameterSetNames.Order(StringComparer.Ordinal), help.SyntaxSets.Select(s => s.Name).Order(StringComparer.Ordinal));
            Assert.Equal(cmdlet.DefaultParameterSetName, help.SyntaxSets.SingleOrDefault(s => s.IsDefault)?.Name);
            Assert.Equal(cmdlet.OutputTypes.Order(StringComparer.Ordinal), help.Outputs.Select(o => o.TypeName).Order(StringComparer.Ordinal));
        }
    }

    private Type ResolveType(string fullName) =>
        _context.GetAssemblies().Select(a => a.GetType(fullName)).FirstOrDefault(t => t is not null)
        ?? throw new InvalidOperationException($"{fullName} not found in the module's assemblies");
}
