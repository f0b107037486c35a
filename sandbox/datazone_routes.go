package sandbox

// datazoneRoutes are the DataZone restJson1 routes, with the method, path template and operation
// name of the SDK serializers.
var datazoneRoutes = []restRoute{
	{"GET", "/v2/domains/{identifier}", "GetDomain", dzGetDomain},
	{"GET", "/v2/domains/{domainIdentifier}/environments/{identifier}", "GetEnvironment", dzGetEnvironment},
	{"GET", "/v2/domains/{domainIdentifier}/environments", "ListEnvironments", dzListEnvironments},
	{"GET", "/v2/domains/{domainIdentifier}/environments/{environmentIdentifier}/credentials",
		"GetEnvironmentCredentials", dzGetEnvironmentCredentials},
	{"GET", "/v2/domains/{domainIdentifier}/environments/{environmentIdentifier}/subscription-targets",
		"ListSubscriptionTargets", dzListSubscriptionTargets},
	{"GET", "/v2/domains/{domainIdentifier}/environment-blueprints", "ListEnvironmentBlueprints",
		dzListEnvironmentBlueprints},
	{"GET", "/v2/domains/{domainIdentifier}/environment-blueprint-configurations/{environmentBlueprintIdentifier}",
		"GetEnvironmentBlueprintConfiguration", dzGetBlueprintConfiguration},

	{"POST", "/v2/domains/{domainIdentifier}/data-sources", "CreateDataSource", dzCreateDataSource},
	{"GET", "/v2/domains/{domainIdentifier}/data-sources", "ListDataSources", dzListDataSources},
	{"GET", "/v2/domains/{domainIdentifier}/data-sources/{identifier}", "GetDataSource", dzGetDataSource},
	{"PATCH", "/v2/domains/{domainIdentifier}/data-sources/{identifier}", "UpdateDataSource", dzUpdateDataSource},
	{"POST", "/v2/domains/{domainIdentifier}/data-sources/{dataSourceIdentifier}/runs", "StartDataSourceRun",
		dzStartDataSourceRun},
	{"GET", "/v2/domains/{domainIdentifier}/data-sources/{dataSourceIdentifier}/runs", "ListDataSourceRuns",
		dzListDataSourceRuns},
	{"GET", "/v2/domains/{domainIdentifier}/data-source-runs/{identifier}", "GetDataSourceRun", dzGetDataSourceRun},
	{"GET", "/v2/domains/{domainIdentifier}/data-source-runs/{identifier}/activities",
		"ListDataSourceRunActivities", dzListDataSourceRunActivities},

	{"GET", "/v2/domains/{domainIdentifier}/assets/{identifier}", "GetAsset", dzGetAsset},
	{"POST", "/v2/domains/{domainIdentifier}/search", "Search", dzSearch},

	{"POST", "/v2/domains/{domainIdentifier}/listings/change-set", "CreateListingChangeSet", dzCreateListingChangeSet},
	{"POST", "/v2/domains/{domainIdentifier}/listings/search", "SearchListings", dzSearchListings},
	{"GET", "/v2/domains/{domainIdentifier}/listings/{identifier}", "GetListing", dzGetListing},

	{"POST", "/v2/domains/{domainIdentifier}/subscription-requests", "CreateSubscriptionRequest",
		dzCreateSubscriptionRequest},
	{"GET", "/v2/domains/{domainIdentifier}/subscription-requests", "ListSubscriptionRequests",
		dzListSubscriptionRequests},
	{"GET", "/v2/domains/{domainIdentifier}/subscription-requests/{identifier}", "GetSubscriptionRequestDetails",
		dzGetSubscriptionRequestDetails},
	{"PUT", "/v2/domains/{domainIdentifier}/subscription-requests/{identifier}/accept", "AcceptSubscriptionRequest",
		dzAcceptSubscriptionRequest},
	{"PUT", "/v2/domains/{domainIdentifier}/subscription-requests/{identifier}/reject", "RejectSubscriptionRequest",
		dzRejectSubscriptionRequest},
	{"GET", "/v2/domains/{domainIdentifier}/subscriptions", "ListSubscriptions", dzListSubscriptions},
	{"GET", "/v2/domains/{domainIdentifier}/subscriptions/{identifier}", "GetSubscription", dzGetSubscription},
	{"POST", "/v2/domains/{domainIdentifier}/subscription-grants", "CreateSubscriptionGrant", dzCreateSubscriptionGrant},
	{"GET", "/v2/domains/{domainIdentifier}/subscription-grants", "ListSubscriptionGrants", dzListSubscriptionGrants},
	{"GET", "/v2/domains/{domainIdentifier}/subscription-grants/{identifier}", "GetSubscriptionGrant",
		dzGetSubscriptionGrant},

	{"POST", "/v2/domains/{domainIdentifier}/user-profiles", "CreateUserProfile", dzCreateUserProfile},
	{"POST", "/v2/domains/{domainIdentifier}/projects/{projectIdentifier}/createMembership",
		"CreateProjectMembership", dzCreateProjectMembership},
	{"GET", "/v2/domains/{domainIdentifier}/projects/{projectIdentifier}/memberships", "ListProjectMemberships",
		dzListProjectMemberships},
}
