using NodeFoundry.Fleet;

namespace NodeFoundry.Host;

internal static class ValidateCommand
{
    public static int Run(ArgumentReader options, TextWriter output)
    {
        var path = options.Require("config");
        var result = FleetLoader.LoadFile(path);
        if (result.IsValid)
        {
            var fleet = result.Fleet!;
            output.WriteLine($"{path}: valid — {fleet.Dhcp.Scopes.Count} scope(s), {fleet.Nodes.Count} node(s), {fleet.Profiles.Count} profile(s)");
            return 0;
        }

        foreach (var error in result.Errors)
        {
            output.WriteLine(error);
        }

        output.WriteLine($"{path}: {result.Errors.Count} problem(s)");
        return 1;
    }
}
