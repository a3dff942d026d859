"""Publication: an alert reaching the organisations it applies to. Publishing it, adding an update that must be
acknowledged again and raising it to high severity each write the alert's change (respond.alerts.services), its
notifications (respond.notifications) and the responses it asks for (respond.responses), in one transaction; so
this package sits above all three."""
