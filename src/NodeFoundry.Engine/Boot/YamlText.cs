using System.Text;
using System.Text.RegularExpressions;

namespace NodeFoundry.Boot;

/// <summary>Writes YAML scalars for the answer files: plain when unambiguous, otherwise double-quoted and escaped.</summary>
internal static partial class YamlText
{
    private static readonly string[] Reserved =
        ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"];

    public static string Scalar(string value)
    {
        if (SafePlain().IsMatch(value) && !Reserved.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    [GeneratedRegex(@"^[A-Za-z/_][A-Za-z0-9._/+\-]*$")]
    private static partial Regex SafePlain();
}
