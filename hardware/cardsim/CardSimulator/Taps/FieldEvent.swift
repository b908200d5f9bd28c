/// What a card in the field reports as it happens (for live traces such as `--verbose`).
public enum FieldEvent: Sendable {
    case control(ControlEvent)
    case exchange(APDUExchange)
    case removed(TapReport)
}
