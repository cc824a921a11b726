namespace NodeFoundry.Http;

/// <summary>Content types by file extension for what a boot server serves; everything else is octet-stream.</summary>
public static class ContentTypes
{
    public const string OctetStream = "application/octet-stream";
    public const string PlainText = "text/plain; charset=utf-8";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".ipxe"] = PlainText,
        [".txt"] = PlainText,
        [".cfg"] = PlainText,
        [".ks"] = PlainText,
        [".seed"] = PlainText,
        [".preseed"] = PlainText,
        [".sh"] = PlainText,
        [".yaml"] = "application/yaml",
        [".yml"] = "application/yaml",
        [".json"] = "application/json",
        [".html"] = "text/html; charset=utf-8",
        [".xml"] = "application/xml",
        [".iso"] = "application/x-iso9660-image",
        [".img"] = OctetStream,
        [".efi"] = "application/efi",
        [".gz"] = "application/gzip",
        [".xz"] = "application/x-xz",
        [".zst"] = "application/zstd",
        [".tar"] = "application/x-tar",
        [".sig"] = "application/pgp-signature",
    };

    public static string ForPath(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Length > 0 && ByExtension.TryGetValue(extension, out var type) ? type : OctetStream;
    }
}
