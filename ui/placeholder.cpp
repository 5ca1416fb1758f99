// The UI library grows here.
