"""Meeting calendars: month and week views, .ics files and personal iCalendar feeds."""
