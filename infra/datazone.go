package infra

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdatazone"
	"github.com/aws/jsii-runtime-go"
)

// contributor is the designation the DataZone role gets in each project: enough to create data
// sources, publish, and request and accept subscriptions, without owning the project.
const contributor = "PROJECT_CONTRIBUTOR"

// projectMemberships makes the DataZone role a contributor of the producer and consumer
// projects, with its ARN as the member's user identifier (no user profile is needed).
// DataZone checks membership on top of IAM, so without it every call is denied.
//
// A project listed in existingMembershipProjectIds gets no AWS::DataZone::ProjectMembership: the
// role is a member already (added by hand), and CreateProjectMembership of an existing member
// fails with ValidationException "User is already in the project" (the AWS::DataZone::
// ProjectMembership resource handler does not adopt it; aws-reference §13). The stack does not
// adopt it either: only a project owner may add members, and the one principal a deploy can
// count on to be an owner is the role CloudFormation runs as, which a custom resource cannot act
// as. So the user says which memberships exist (README, "Deploy failure modes").
func (b *stackBuilder) projectMemberships() {
	role := b.roles[dataZoneRole]
	projects := b.cfg.projectIDs()
	switch {
	case role == nil:
		return
	case b.cfg.DomainID == "" && len(projects) > 0:
		addError(b.stack, "infra: context "+CtxProducerProjectID+"/"+CtxConsumerProjectIDs+" needs "+CtxDomainID)
		return
	case b.cfg.DomainID == "":
		addWarning(b.stack, "noDomain", "context "+CtxDomainID+" is not set: the DataZone role may act in any domain and is a member of no project; add it as a PROJECT_CONTRIBUTOR of each project by hand and list the projects in "+CtxExistingMemberships+" when you set them (README: One-time admin steps)")
		return
	case b.cfg.ProducerProjectID == "":
		addWarning(b.stack, "noProducer", "context "+CtxProducerProjectID+" is not set: add the DataZone role to the producer project as a PROJECT_CONTRIBUTOR by hand, and list it in "+CtxExistingMemberships+" if you set "+CtxProducerProjectID+" later (README: One-time admin steps)")
	}
	for _, project := range projects {
		if slices.Contains(b.cfg.ExistingMemberships, project) {
			awscdk.Annotations_Of(b.stack).AddInfo(jsii.String("project " + project + " is in " + CtxExistingMemberships + ": the DataZone role's membership there was made by hand; the stack neither creates nor removes it"))
			continue
		}
		awsdatazone.NewCfnProjectMembership(b.stack, jsii.String("Membership-"+project), &awsdatazone.CfnProjectMembershipProps{
			DomainIdentifier:  jsii.String(b.cfg.DomainID),
			ProjectIdentifier: jsii.String(project),
			Designation:       jsii.String(contributor),
			Member: &awsdatazone.CfnProjectMembership_MemberProperty{
				UserIdentifier: role.RoleArn(),
			},
		})
	}
}
