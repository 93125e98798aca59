namespace ReverseShellFunction.Intake;

/// <summary>The function's event data: the Pub/Sub payload and how this copy of it was delivered.</summary>
public sealed record PubSubDelivery(MessagePublishedData Data, DeliveryInfo Delivery);
