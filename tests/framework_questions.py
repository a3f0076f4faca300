"""The framework's questions as reviews/framework.toml words them today, component by
component, in order: what the tests expect the framework to load, and to show."""

FRAMEWORK_QUESTIONS = {
    "purpose": ["Do we (does each organization) have the same goals for the alliance?"],
    "power": [
        "What knowledge, skills, relationships, and staff (or other resources) are necessary "
        "to accomplish the shared purpose?"
    ],
    "interdependence": [
        "Do we really believe that we are interdependent?",
        "Why do we need each other to accomplish the purpose to which we aspire?",
    ],
    "trust": [
        "Do we believe we can accomplish our goals?",
        "Did each of us do what we said we would do?",
    ],
    "control": [
        "Are we sharing the resources needed for the alliance in a complete and timely way?"
    ],
    "indicators": [
        "In areas where we are progressing toward our shared purpose, what can we do to "
        "improve our results?",
        "Where we aren't progressing toward our shared purpose, what is making it hard to "
        "move forward?",
    ],
}
