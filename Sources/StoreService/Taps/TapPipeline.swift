import Foundation
import Logging
import ReaderService
import StoreCore

/// What the serve loop does with each tap: record the visit, count it, show it on the device's screen.
public struct TapPipeline: Sendable {
    public let recorder: TapRecorder
    public let board: TapBoard
    public let metrics: StoreMetrics

    public init(recorder: TapRecorder, board: TapBoard, metrics: StoreMetrics) {
        self.recorder = recorder
        self.board = board
        self.metrics = metrics
    }

    @discardableResult
    public func handle(_ tap: TapResult) async -> TapRecorder.Recording {
        let recording = await recorder.record(tap)
        metrics.tapObserved(kind: Self.kind(of: tap), result: Self.result(of: recording), milliseconds: tap.milliseconds)
        await board.post(recording)
        return recording
    }

    /// The strongest identifier the card proved, as a metric label (a fixed, small set of values).
    static func kind(of tap: TapResult) -> String {
        let found = tap.identifiers
        if found.sunTag != nil { return "sunTag" }
        if found.appDevice != nil { return "appDevice" }
        if found.loyaltyCard != nil { return "loyaltyCard" }
        if found.paymentToken != nil || found.paymentAccountReference != nil { return "paymentCard" }
        if found.cardUID != nil { return "cardUID" }
        return "none"
    }

    static func result(of recording: TapRecorder.Recording) -> String {
        switch recording {
        case .unreadable: "unreadable"
        case .notRecorded: "notRecorded"
        case .recorded(_, _, let outcome): outcome.greeting == nil ? "unknown" : "known"
        }
    }
}
