"""The pages of what reads the whole alliance, one module per page group: the report and its
PDF, a review's exports, compare and the timeline, the alliance's document."""
