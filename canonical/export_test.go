package canonical

// AppendNumber lets the external tests reach the number serializer.
var AppendNumber = appendNumber
