using System.IO.Compression;

namespace ReverseShellFunction.Tests.Support;

/// <summary>Rewrites a bundle's zip in memory: what an attacker with write access to the store could do.</summary>
internal static class ZipEditor
{
    // Unix "symbolic link, rwxrwxrwx" in the upper half of the external attributes.
    public const int SymlinkAttributes = unchecked((int)0xA1FF0000);

    public static byte[] Edit(byte[] zip, Action<ZipArchive> edit)
    {
        using var buffer = new MemoryStream();
        buffer.Write(zip);
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            edit(archive);
        }

        return buffer.ToArray();
    }

    /// <summary>Where the zip's central directory starts, from its end-of-central-directory record.</summary>
    public static int CentralDirectoryOffset(byte[] zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        for (var i = zip.Length - 22; i >= 0; i--)
        {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 0x05 && zip[i + 3] == 0x06)
            {
                return BitConverter.ToInt32(zip, i + 16);
            }
        }

        throw new InvalidDataException("no end of central directory record");
    }

    public static byte[] Remove(byte[] zip, string name) => Edit(zip, archive => archive.GetEntry(name)!.Delete());

    public static byte[] Add(byte[] zip, string name, byte[] content, int? externalAttributes = null) => Edit(zip, archive => Write(archive, name, content, externalAttributes));

    public static byte[] Replace(byte[] zip, string name, Func<byte[], byte[]> change) => Edit(zip, archive =>
    {
        var entry = archive.GetEntry(name)!;
        byte[] content;
        using (var stream = entry.Open())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            content = copy.ToArray();
        }

        entry.Delete();
        Write(archive, name, change(content), null);
    });

    public static string Read(byte[] zip, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var reader = new StreamReader(archive.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    private static void Write(ZipArchive archive, string name, byte[] content, int? externalAttributes)
    {
        var entry = archive.CreateEntry(name);
        if (externalAttributes is { } attributes)
        {
            entry.ExternalAttributes = attributes;
        }

        using var stream = entry.Open();
        stream.Write(content);
    }
}
