using System.Globalization;
using System.Text;
using NodeFoundry.Fleet;

namespace NodeFoundry.PowerShell.Fleet;

/// <summary>How the module words fleet-file errors: <c>file:line:col: field: message</c>, the way compilers do.</summary>
internal static class FleetErrorText
{
    public static string Format(FleetError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{error.File}:{error.Line}:{error.Column}: ");
        if (!string.IsNullOrEmpty(error.Field))
        {
            text.Append(error.Field).Append(": ");
        }

        text.Append(error.Message);
        if (error.Value is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" (value '{error.Value}')");
        }

        if (!string.IsNullOrEmpty(error.Fix))
        {
            text.Append(" Fix: ").Append(error.Fix);
        }

        return text.ToString();
    }

    /// <summary>One message listing every error, for the terminating error of a cmdlet that must not start.</summary>
    public static string FormatAll(string path, IReadOnlyList<FleetError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Fleet file '{path}' is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}); nothing was started.");
        foreach (FleetError error in errors)
        {
            text.AppendLine().Append("  ").Append(Format(error));
        }

        return text.ToString();
    }
}

/// <summary>A fleet file that failed validation; carries every error the loader found.</summary>
public sealed class FleetFileInvalidException : Exception
{
    public FleetFileInvalidException()
        : this(string.Empty, [])
    {
    }

    public FleetFileInvalidException(string message)
        : base(message)
    {
        Path = string.Empty;
        Errors = [];
    }

    public FleetFileInvalidException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Errors = [];
    }

    public FleetFileInvalidException(string path, IReadOnlyList<FleetError> errors)
        : base(FleetErrorText.FormatAll(path, errors))
    {
        Path = path;
        Errors = errors;
    }

    internal FleetFileInvalidException(FleetError error)
        : base(FleetErrorText.Format(error))
    {
        Path = error.File;
        Errors = [error];
    }

    public string Path { get; }

    public IReadOnlyList<FleetError> Errors { get; }
}
