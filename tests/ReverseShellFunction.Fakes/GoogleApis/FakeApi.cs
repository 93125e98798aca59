namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>The parts of <see cref="FakeGoogleApis"/> that faults can be aimed at.</summary>
public enum FakeApi
{
    Metadata,
    Scc,
    Run,

    /// <summary><c>entries:list</c> calls whose filter is not about audit logs.</summary>
    ContainerLogs,

    /// <summary><c>entries:list</c> calls whose filter names the Admin Activity audit log.</summary>
    AuditLogs,

    /// <summary>Cloud KMS asymmetricSign and getPublicKey (<see cref="FakeKms"/>).</summary>
    Kms,

    /// <summary>Cloud Tasks tasks.create (<see cref="FakeCloudTasks"/>).</summary>
    CloudTasks,
}
