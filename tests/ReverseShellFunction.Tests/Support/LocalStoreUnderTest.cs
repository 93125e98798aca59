using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>A <see cref="LocalEvidenceStore"/> in a fresh temporary folder. Stored files are read-only; tampering makes them writable first.</summary>
public sealed class LocalStoreUnderTest : StoreUnderTest
{
    private readonly TempFolder _folder = new();
    private readonly LocalEvidenceStore _store;

    public LocalStoreUnderTest()
    {
        _store = new LocalEvidenceStore(_folder.Path);

        // A store the function has written to: the CLI refuses a folder with neither prefix as not a store.
        Directory.CreateDirectory(System.IO.Path.Combine(_folder.Path, "index"));
        Directory.CreateDirectory(System.IO.Path.Combine(_folder.Path, "bundles"));
    }

    public override IEvidenceStore Store => _store;

    public override IReadOnlyList<string> StoreArgs => ["--dir", _folder.Path];

    public override bool KeepsMetadata => false;

    public override Task<byte[]> ReadRawAsync(string objectName, CancellationToken cancellationToken) =>
        File.ReadAllBytesAsync(PathOf(objectName), cancellationToken);

    public override async Task PutRawAsync(string objectName, byte[] content, CancellationToken cancellationToken)
    {
        var path = PathOf(objectName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        MakeWritable(path);
        await File.WriteAllBytesAsync(path, content, cancellationToken);
    }

    public override Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        var path = PathOf(objectName);
        MakeWritable(path);
        File.Delete(path);
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void MakeWritable(string path)
    {
        if (File.Exists(path) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private string PathOf(string objectName) => Path.Combine(_folder.Path, objectName.Replace('/', Path.DirectorySeparatorChar));
}
