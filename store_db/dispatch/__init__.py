"""The store's dispatch board over its database: `board` turns orders and shifts into a
plan request for the planner (`makeline.dispatch`) and its plan into runs to accept;
`driver` is a run as its driver sees it."""
