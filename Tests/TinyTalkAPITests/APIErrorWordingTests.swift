import Foundation
import Testing

@testable import TinyTalkAPI

/// The words a user reads for a refusal: who refused, why, and whether waiting helps.
@Suite("APIError wording")
struct APIErrorWordingTests {
    // MARK: 401

    @Test func a401WithAKeySaysTheKeyWasRefused() {
        let error = APIError.http(status: 401, message: "Invalid API key for this agent.", retryAfter: nil, keySent: true)
        #expect(
            error.message
                == "The API key was refused: this agent is private and takes a valid key of its owner's account (the server answered 401 Unauthorized: Invalid API key for this agent)."
        )
    }

    @Test func a401WithoutAKeySaysNoneWasSent() {
        let error = APIError.http(
            status: 401, message: "This agent is private: send an API key in the Api-Key header.", retryAfter: nil, keySent: false)
        #expect(error.message.hasPrefix("This agent is private: it answers only with an API key, and none was sent"))
        #expect(error.message.contains("(the server answered 401 Unauthorized: This agent is private: send an API key in the Api-Key header)"))
        #expect(!error.message.contains("was refused"))
    }

    @Test func aKeyIsAssumedSentUnlessSaidOtherwise() {
        #expect(APIError.http(status: 401, message: "", retryAfter: nil).message.hasPrefix("The API key was refused"))
        #expect(
            APIError.http(status: 401, message: "", retryAfter: nil).message
                == "The API key was refused: this agent is private and takes a valid key of its owner's account (the server answered 401 Unauthorized)."
        )
    }

    // MARK: 403

    @Test func a403IsAPlanLimit() {
        let error = APIError.http(
            status: 403, message: "The model gpt-4o is not available on your plan (available: gpt-4o-mini).", retryAfter: nil)
        #expect(
            error.message
                == "Refused by a plan limit on messages or model access (the server answered 403 Forbidden: The model gpt-4o is not available on your plan (available: gpt-4o-mini)). Retrying will not help: check the plan on the Tiny Talk dashboard, or choose a model the plan includes."
        )
        #expect(!error.isRetryable)
    }

    @Test(arguments: ["Origin https://evil.example is not allowed for this bot.", "origin not allowed", "Bad ORIGIN header"])
    func a403AboutTheOriginSaysSo(_ message: String) {
        let error = APIError.http(status: 403, message: message, retryAfter: nil)
        // The server's own full stop is dropped inside the parentheses.
        let said = message.hasSuffix(".") ? String(message.dropLast()) : message
        #expect(error.message.hasPrefix("The bot does not accept requests from this Origin (the server answered 403 Forbidden: \(said))."))
        #expect(error.message.hasSuffix("Set origin to one allowed on the bot's details page."))
        #expect(!error.message.contains("plan limit"))
    }

    // MARK: 429

    @Test func a429ShowsTheWindowAndTheWait() {
        let window = RateLimit(limit: 20, remaining: 0, reset: Date().addingTimeInterval(30))
        let error = APIError.http(
            status: 429, message: "Rate limit exceeded.", retryAfter: 30, rateLimit: window, keySent: false)
        #expect(
            error.message
                == "Rate limited: \(window.description()) (the server answered 429 Too Many Requests: Rate limit exceeded); it asks to wait 30 s."
        )
        #expect(error.message.hasPrefix("Rate limited: 0 of 20 left, the window resets at "))
        #expect(error.isRetryable)
    }

    @Test func a429WithoutAWindowOrAWait() {
        #expect(APIError.http(status: 429, message: "", retryAfter: nil).message == "Rate limited (the server answered 429 Too Many Requests).")
        #expect(
            APIError.http(status: 429, message: "slow down", retryAfter: 600).message
                == "Rate limited (the server answered 429 Too Many Requests: slow down); it asks to wait 10 min.")
    }

    // MARK: retryAfter and status

    @Test func retryAfterFallsBackToTheResetForA429() throws {
        let window = RateLimit(limit: 20, remaining: 0, reset: Date().addingTimeInterval(30))
        let wait = try #require(APIError.http(status: 429, message: "", retryAfter: nil, rateLimit: window).retryAfter)
        #expect(wait >= 25 && wait <= 31, "\(wait)")
    }

    @Test func retryAfterPrefersTheServersOwnWait() {
        let window = RateLimit(limit: 20, remaining: 0, reset: Date().addingTimeInterval(300))
        #expect(APIError.http(status: 429, message: "", retryAfter: 7, rateLimit: window).retryAfter == 7)
    }

    @Test func retryAfterIgnoresTheResetForOtherStatuses() {
        let window = RateLimit(limit: 20, remaining: 0, reset: Date().addingTimeInterval(30))
        #expect(APIError.http(status: 503, message: "", retryAfter: nil, rateLimit: window).retryAfter == nil)
        #expect(APIError.http(status: 503, message: "", retryAfter: 4, rateLimit: window).retryAfter == 4)
        #expect(APIError.http(status: 429, message: "", retryAfter: nil, rateLimit: RateLimit(limit: 20)).retryAfter == nil)
        #expect(APIError.http(status: 429, message: "", retryAfter: nil, rateLimit: RateLimit(reset: Date().addingTimeInterval(-5))).retryAfter == nil)
        #expect(APIError.truncated(detail: "reset").retryAfter == nil)
    }

    @Test func statusIsTheHTTPStatusOnly() {
        #expect(APIError.http(status: 401, message: "", retryAfter: nil).status == 401)
        #expect(APIError.http(status: 429, message: "", retryAfter: 3).status == 429)
        #expect(APIError.transport(.connectionRefused, detail: "127.0.0.1:1").status == nil)
        #expect(APIError.timedOut(.idle(seconds: 60)).status == nil)
        #expect(APIError.invalidRequest("no").status == nil)
    }

    // MARK: Retry-After from the network

    @Test(arguments: ["9223372036854775807", "1e300", "99999999999999999999999", "31622401"])
    func aHugeRetryAfterIsClampedToAYear(_ value: String) throws {
        let seconds = try #require(ChatClient.retryAfter(value))
        #expect(seconds == 366 * 86_400)
        // And it still reads as words.
        #expect(APIError.http(status: 429, message: "", retryAfter: seconds).message.hasSuffix("it asks to wait 8784 h."))
    }

    @Test func aHugeHTTPDateRetryAfterIsClampedToAYear() throws {
        let seconds = try #require(ChatClient.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT"))
        #expect(seconds == 366 * 86_400)
    }
}
