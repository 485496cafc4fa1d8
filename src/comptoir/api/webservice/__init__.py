"""The vtiger/Kafinea webservice front door (`webservice.php`)."""
