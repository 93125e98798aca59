using System.Runtime.InteropServices;

namespace ReverseShellFunction.Infrastructure.LocalFolder;

/// <summary>
/// Puts a finished temporary file at its final name only if that name is free, in one step. On Unix this is
/// link(2), which fails with EEXIST when the name exists: exactly one of any number of racing writers wins.
/// File.Move without overwrite is not enough there (it checks, then renames, and two writers can both pass the
/// check). Windows' MoveFile without replace is itself atomic.
/// </summary>
internal static partial class AtomicCreate
{
    // EEXIST is 17 on Linux and on macOS.
    private const int AlreadyExists = 17;

    /// <returns>True when the file now has the final name; false when another file already had it.</returns>
    public static bool TryPlace(string temporary, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temporary, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }

        if (Link(temporary, destination) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == AlreadyExists
            ? false
            : throw new IOException($"link('{temporary}', '{destination}') failed with errno {error}.");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
